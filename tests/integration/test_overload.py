"""server.max_connections: at the cap, when no connection waits for a request, a new
connection is answered 503 with Retry-After and Connection: close instead of being silently
refused; the connections already open are served as before, and a place freed is taken again.
The 503 is the one every other 503 of the default site is (the maintenance mode's, for a
request without Accept or Accept-Language): the same body, the site's own page when it has
one, and the same content fields.

The cap is held here by connections that are busy: each has a large response on its way that
its client does not read yet (a small receive buffer stops the server's writes). A connection
that only waits for a request (idle, or sending its head) would give its place to the new one
instead: test_fair_limits.py shows that.

The server runs `teapot serve --config FILE` with two workers, so that the cap is seen to hold
across workers. Every server is stopped by its PID with SIGTERM at the end of its test, which
then fails unless the server exited with status 0 and left no sanitizer report on stderr.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, require
from wire import Conn, Response, request, served_once_a_place_is_free

CAP = 4


BIG = 4 * 1024 * 1024  # far more than the socket buffers between a server and a held client


def config_text(tmp: Path, error_pages: str = "", server_extra: str = "", workers: int = 2) -> str:
    site = tmp / "site"
    if not (site / "big.bin").exists():
        site.mkdir(exist_ok=True)
        (site / "big.bin").write_bytes(b"b" * BIG)
    return f"""\
[server]
listen = ["127.0.0.1:1"]
workers = {workers}
drain_timeout = "1s"
max_connections = {CAP}
overload_retry_after = "7s"
{server_extra}

[server.limits]
header_timeout = "30s"
keep_alive_timeout = "30s"

[access_log]
enabled = false

[[sites]]
default = true
root = "{site}"

[[sites.rules]]
exact = "/v"
kind = "return"
status = 200
body = "served"

[sites.maintenance]
enabled = true
prefixes = ["/down/"]
retry_after = "7s"
{error_pages}"""

BUSY_PAGE = b"<!DOCTYPE html>\n<title>Busy</title>\n<p>Too many visitors; come back soon.</p>\n"


@pytest.fixture
def capped(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    config = tmp_path / "teapot.toml"
    config.write_text(config_text(tmp_path))
    return start_server([TEAPOT_BIN, "serve", "--config", config], "capped")


def start_capped_with_a_page(start_server, tmp_path: Path, page: bytes, server_extra: str = ""):
    require(TEAPOT_BIN, "teapot")
    (tmp_path / "busy.html").write_bytes(page)
    config = tmp_path / "teapot.toml"
    pages = '\n[sites.error_pages]\nfiles = { "503" = "busy.html" }\ncache_control = "max-age=3"\n'
    config.write_text(config_text(tmp_path, pages, server_extra))
    return start_server([TEAPOT_BIN, "serve", "--config", config], "capped-page")


@pytest.fixture
def capped_with_a_page(start_server, tmp_path: Path):
    return start_capped_with_a_page(start_server, tmp_path, BUSY_PAGE)


# A page many times the send buffer: the refusal sends it as the client takes it.
LARGE_PAGE = b"<!DOCTYPE html>\n<title>Busy</title>\n" + b"<p>Come back soon.</p>\n" * 40000


@pytest.fixture
def capped_with_a_large_page(start_server, tmp_path: Path):
    return start_capped_with_a_page(
        start_server, tmp_path, LARGE_PAGE, server_extra='send_buffer = "16KiB"'
    )


def served(c: Conn) -> None:
    release(c)
    c.send(request("GET", "/v"))
    r = c.read_response()
    assert r.status == 200 and r.body == b"served", r


def assert_overloaded(c: Conn) -> Response:
    r = c.read_response(timeout=5)
    assert r.status == 503, r
    assert r.reason == "Service Unavailable"
    assert r.header("Retry-After") == "7"
    assert r.has_token("Connection", "close")
    assert int(r.header("Content-Length")) == len(r.body)
    assert r.header("Content-Type").endswith("charset=utf-8")
    assert c.closes_within(3) == b""
    return r


CONTENT_FIELDS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "Retry-After")


def assert_same_page(overload: Response, other: Response) -> None:
    """The overload 503 and another 503 of the site carry the same page and content fields."""
    assert other.status == 503, other
    assert overload.body == other.body
    for name in CONTENT_FIELDS:
        assert overload.header_all(name) == other.header_all(name), name


def maintenance_page(c: Conn) -> Response:
    release(c)
    c.send(request("GET", "/down/x"))
    return c.read_response()


def hold(c: Conn) -> None:
    """The connection asks for the large file and reads only the head of the response: the
    rest waits in the server, which is then busy with it, not waiting for a request."""
    c.send(request("GET", "/big.bin"))
    c.receive_until(b"\r\n\r\n")
    assert c.buf.startswith(b"HTTP/1.1 200 "), c.buf[:200]
    c.held = True


def release(c: Conn) -> None:
    """Reads the rest of a held response, whole."""
    if getattr(c, "held", False):
        r = c.read_response(timeout=10)
        assert r.status == 200 and len(r.body) == BIG, r
        c.held = False


def fill_to_the_cap(port: int) -> list[Conn]:
    """CAP connections, each accepted, served, and kept open (keep-alive), then held busy.

    Each connects only when the one before is busy: a connection that has not sent its
    request yet waits for one, and the next arrival at the cap would take its place.
    The fixture's readiness probe holds a place until the server has seen it close, which it
    does on its own time: until then a full set is refused one place, so it is tried again."""
    deadline = time.monotonic() + 5
    while True:
        conns, replies = [], []
        for _ in range(CAP):  # each busy before the next comes, so that none gives its place
            c = Conn(port, rcvbuf=16 * 1024)
            conns.append(c)
            c.send(request("GET", "/v"))
            replies.append(c.read_response())
            if replies[-1].status == 200:
                hold(c)
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
            overload = assert_overloaded(extra)
        with Conn(capped.port) as eager:  # sent its request at once: still a clean 503
            eager.send(request("GET", "/v"))
            assert assert_overloaded(eager).body == overload.body
        # The site's other 503, asked on a connection inside the cap: the same built-in page.
        assert_same_page(overload, maintenance_page(conns[0]))
        assert overload.body.startswith(b"<!DOCTYPE html>\n<html lang=\"en\">")
        assert b"<title>503 Service Unavailable</title>" in overload.body
        assert overload.header("Content-Language") == "en"
        assert overload.header("Cache-Control") == "no-store"
        for c in conns:  # the open ones are served as before
            served(c)

        conns.pop().close()
        served_once_a_place_is_free(capped.port, "/v")
    finally:
        for c in conns:
            c.close()


def test_the_overload_503_is_the_default_sites_own_503_page(capped_with_a_page):
    conns = fill_to_the_cap(capped_with_a_page.port)
    try:
        with Conn(capped_with_a_page.port) as extra:
            overload = assert_overloaded(extra)
        assert overload.body == BUSY_PAGE
        assert overload.header("Content-Type") == "text/html; charset=utf-8"
        assert overload.header("Content-Language") is None  # a file has no language we know
        assert overload.header("Cache-Control") == "max-age=3"
        assert_same_page(overload, maintenance_page(conns[0]))
    finally:
        for c in conns:
            c.close()


def test_an_overload_page_larger_than_the_send_buffer_arrives_whole(capped_with_a_large_page):
    conns = fill_to_the_cap(capped_with_a_large_page.port)
    try:
        with Conn(capped_with_a_large_page.port) as extra:
            overload = assert_overloaded(extra)
        assert len(LARGE_PAGE) > 20 * 2 * 16 * 1024
        assert overload.body == LARGE_PAGE
    finally:
        for c in conns:
            c.close()


def test_a_reload_gives_the_overload_503_the_new_page(start_server, tmp_path: Path):
    """One worker, so that the reload has reached the refusals once it has reached a request."""
    require(TEAPOT_BIN, "teapot")
    config = tmp_path / "teapot.toml"
    config.write_text(config_text(tmp_path, workers=1))
    srv = start_server([TEAPOT_BIN, "serve", "--config", config], "capped-reload")
    (tmp_path / "busy.html").write_bytes(BUSY_PAGE)
    pages = '\n[sites.error_pages]\nfiles = { "503" = "busy.html" }\n'
    config.write_text(config_text(tmp_path, pages, workers=1))
    srv.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while True:
        with Conn(srv.port) as c:
            if maintenance_page(c).body == BUSY_PAGE:
                break
        assert time.monotonic() < deadline, "the reload never reached the maintenance 503"
        time.sleep(0.05)
    conns = fill_to_the_cap(srv.port)
    try:
        with Conn(srv.port) as extra:
            assert assert_overloaded(extra).body == BUSY_PAGE
    finally:
        for c in conns:
            c.close()
