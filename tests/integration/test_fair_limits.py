"""Fair places under attack: connections that only wait cannot keep the places from clients that
send requests, and one address cannot take them all.

- server.max_connections_per_address: past it, a new connection from that address gets the
  overload 503 (Retry-After, Connection: close); other addresses are served.
- server.max_connections: at the cap, a new connection takes the place of the worker's
  connection that has waited longest for a request: an idle one is closed silently, one still
  sending its head gets 408; a connection busy with a request keeps its place, and when every
  connection is busy the new one gets the 503.

Every address of 127.0.0.0/8 reaches the loopback server, so one machine is several clients:
the fixture's readiness probe comes from 127.0.0.1, the capped clients from others. The tests
of the global cap run one worker, since a worker closes only its own connections.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import SITE, TEAPOT_BIN, build_docroot, require
from wire import Conn, Response, request, served_once_a_place_is_free

PER_ADDRESS = 3
CAP = 4
BIG = 4 * 1024 * 1024


def config_text(root: Path, server: str, workers: int) -> str:
    return f"""\
[server]
listen = ["127.0.0.1:1"]
workers = {workers}
drain_timeout = "1s"
overload_retry_after = "7s"
{server}

[server.limits]
header_timeout = "30s"
keep_alive_timeout = "30s"

[access_log]
enabled = false

[[sites]]
default = true
root = "{root}"
"""


def start(start_server, tmp_path: Path, server: str, workers: int):
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "site")
    (root / "big.bin").write_bytes(b"b" * BIG)
    config = tmp_path / "teapot.toml"
    config.write_text(config_text(root, server, workers))
    return start_server([TEAPOT_BIN, "serve", "--config", config], "fair")


@pytest.fixture
def per_address(start_server, tmp_path: Path):
    return start(start_server, tmp_path, f"max_connections_per_address = {PER_ADDRESS}", 2)


@pytest.fixture
def capped(start_server, tmp_path: Path):
    return start(start_server, tmp_path, f"max_connections = {CAP}", 1)


def served(c: Conn) -> None:
    c.send(request("GET", "/hello.txt"))
    r = c.read_response()
    assert r.status == 200 and r.body == SITE["hello.txt"], r


def assert_overloaded(c: Conn) -> Response:
    r = c.read_response(timeout=5)
    assert r.status == 503, r
    assert r.header("Retry-After") == "7"
    assert r.has_token("Connection", "close")
    assert c.closes_within(3) == b""
    return r


def test_past_its_share_an_address_gets_503_while_others_are_served(per_address):
    port = per_address.port
    mine = [Conn(port, source="127.0.0.2") for _ in range(PER_ADDRESS)]
    try:
        for c in mine:
            served(c)
        with Conn(port, source="127.0.0.2") as extra:  # says nothing: the 503 comes unasked
            assert_overloaded(extra)
        with Conn(port, source="127.0.0.2") as eager:
            eager.send(request("GET", "/hello.txt"))
            assert_overloaded(eager)
        others = [Conn(port, source="127.0.0.3") for _ in range(PER_ADDRESS)]
        for c in others:  # another address has a share of its own
            served(c)
        for c in others:
            c.close()
        for c in mine:  # the open ones are served as before
            served(c)

        mine.pop().close()
        served_once_a_place_is_free(port, "/hello.txt", source="127.0.0.2")
    finally:
        for c in mine:
            c.close()


def fill_with_idle(port: int, count: int) -> list[Conn]:
    """count connections, each served in turn and left idle (keep-alive). The readiness probe,
    if the server has not yet seen it close, is the one waiting longest: the last of them
    takes its place."""
    conns = [Conn(port) for _ in range(count)]
    for c in conns:
        served(c)
    return conns


def test_at_the_cap_a_new_connection_takes_the_place_of_the_one_idle_longest(capped):
    conns = fill_with_idle(capped.port, CAP)
    try:
        with Conn(capped.port) as newcomer:
            served(newcomer)
            assert conns[0].closes_within(3) == b""  # silently, as at its idle timeout
            for c in conns[1:]:
                served(c)
            # Now the newcomer has waited longest: the next one takes its place.
            with Conn(capped.port) as next_one:
                served(next_one)
                assert newcomer.closes_within(3) == b""
    finally:
        for c in conns:
            c.close()


def test_a_connection_still_sending_its_head_gives_its_place_with_408(capped):
    slow = Conn(capped.port)
    slow.send(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n")  # never ends
    rest = fill_with_idle(capped.port, CAP - 1)  # served after slow began to wait
    try:
        with Conn(capped.port) as newcomer:
            served(newcomer)
            r = slow.read_response(timeout=5)
            assert r.status == 408, r
            assert r.has_token("Connection", "close"), r
            assert slow.closes_within(3) == b""
            for c in rest:
                served(c)
    finally:
        slow.close()
        for c in rest:
            c.close()


def hold(c: Conn) -> None:
    """A large response that the client does not read yet: the server is busy with it."""
    c.send(request("GET", "/big.bin"))
    c.receive_until(b"\r\n\r\n")
    assert c.buf.startswith(b"HTTP/1.1 200 "), c.buf[:200]


def test_connections_busy_with_a_response_keep_their_places_and_a_new_one_gets_503(capped):
    conns = fill_with_idle(capped.port, CAP)
    for c in conns:
        c.close()
    deadline = time.monotonic() + 5
    while True:  # CAP clients that read slowly; a set that meets a leftover place starts again
        held = [Conn(capped.port, rcvbuf=16 * 1024) for _ in range(CAP)]
        try:
            for c in held:
                hold(c)
            break
        except (AssertionError, OSError):
            for c in held:
                c.close()
            assert time.monotonic() < deadline, "never CAP places at once"
            time.sleep(0.05)
    try:
        with Conn(capped.port) as newcomer:
            assert_overloaded(newcomer)
        for c in held:  # each response arrives whole
            r = c.read_response(timeout=10)
            assert r.status == 200 and len(r.body) == BIG, r
            served(c)
    finally:
        for c in held:
            c.close()
