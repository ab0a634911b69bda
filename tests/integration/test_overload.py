"""server.max_connections: at the cap, a new connection is answered 503 with Retry-After and
Connection: close instead of being silently refused; the connections already open are served
as before, and a place freed is taken again.

The server runs `teapot serve --config FILE` with two workers, so that the cap is seen to hold
across workers. Every server is stopped by its PID with SIGTERM at the end of its test, which
then fails unless the server exited with status 0 and left no sanitizer report on stderr.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, require
from wire import Conn, request

CAP = 4


def config_text(tmp: Path) -> str:
    return f"""\
[server]
listen = ["127.0.0.1:1"]
workers = 2
drain_timeout = "1s"
max_connections = {CAP}
overload_retry_after = "7s"

[server.limits]
header_timeout = "30s"
keep_alive_timeout = "30s"

[access_log]
enabled = false

[[sites]]
default = true

[[sites.rules]]
exact = "/v"
kind = "return"
status = 200
body = "served"
"""


@pytest.fixture
def capped(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    config = tmp_path / "teapot.toml"
    config.write_text(config_text(tmp_path))
    return start_server([TEAPOT_BIN, "serve", "--config", config], "capped")


def served(c: Conn) -> None:
    c.send(request("GET", "/v"))
    r = c.read_response()
    assert r.status == 200 and r.body == b"served", r


def assert_overloaded(c: Conn) -> None:
    r = c.read_response(timeout=5)
    assert r.status == 503, r
    assert r.reason == "Service Unavailable"
    assert r.header("Retry-After") == "7"
    assert r.has_token("Connection", "close")
    assert int(r.header("Content-Length")) == len(r.body)
    assert r.header("Content-Type").endswith("charset=utf-8")
    assert c.closes_within(3) == b""


def fill_to_the_cap(port: int) -> list[Conn]:
    """CAP connections, each accepted, served, and kept open (keep-alive).

    The fixture's readiness probe holds a place until the server has seen it close, which it
    does on its own time: until then a full set is refused one place, so it is tried again."""
    deadline = time.monotonic() + 5
    while True:
        conns = [Conn(port) for _ in range(CAP)]
        replies = []
        for c in conns:
            c.send(request("GET", "/v"))
            replies.append(c.read_response())
        if all(r.status == 200 for r in replies):
            for r in replies:
                assert r.body == b"served", r
            return conns
        for c in conns:
            c.close()
        assert time.monotonic() < deadline, f"never {CAP} places at once: {replies}"
        time.sleep(0.05)


def test_at_the_cap_connections_are_served_and_one_more_gets_503_with_retry_after(capped):
    conns = fill_to_the_cap(capped.port)
    try:
        with Conn(capped.port) as extra:  # says nothing: the 503 comes unasked
            assert_overloaded(extra)
        with Conn(capped.port) as eager:  # sent its request at once: still a clean 503
            eager.send(request("GET", "/v"))
            assert_overloaded(eager)
        for c in conns:  # the open ones are served as before
            served(c)

        conns.pop().close()
        deadline = time.monotonic() + 5
        while True:  # the server notices the close on its own time
            with Conn(capped.port) as again:
                again.send(request("GET", "/v"))
                r = again.read_response(timeout=5)
                if r.status == 200:
                    break
                assert r.status == 503, r
            assert time.monotonic() < deadline, "the freed place was not taken again"
            time.sleep(0.05)
    finally:
        for c in conns:
            c.close()
