"""408 and silent closes: the header deadline, the body inactivity timeout and its minimum rate,
and the keep-alive idle timeout, each shortened to 1 s so that the suite stays fast (the rule is
the same at the default 10 s / 10 s / 5 s)."""

from __future__ import annotations

import time

from conftest import SITE
from wire import Conn, request


def assert_408_then_close(c: Conn, sent_at: float, timeout: float) -> None:
    res = c.read_response(timeout=timeout + 3)
    elapsed = time.monotonic() - sent_at
    assert res.status == 408, res
    assert res.has_token("Connection", "close"), res
    assert elapsed >= timeout * 0.8, f"408 after {elapsed:.2f}s, before the {timeout}s timeout"
    assert c.closes_within(1.0) == b""


def test_a_request_head_that_never_completes_gets_408_and_close(serve):
    srv = serve("--header-timeout", "1s")
    with Conn(srv.port) as c:
        c.send(b"GET /hello.txt HTTP/1.1\r\nHost: loc")
        assert_408_then_close(c, time.monotonic(), 1.0)


def test_a_timeout_given_in_milliseconds_is_understood(serve):
    srv = serve("--header-timeout", "500ms")
    with Conn(srv.port) as c:
        start = time.monotonic()
        c.send(b"GET /hello.txt HTTP/1.1\r\n")
        res = c.read_response(timeout=3)
        elapsed = time.monotonic() - start
    assert res.status == 408, res
    assert 0.4 <= elapsed < 1.5, f"408 after {elapsed:.2f}s with a 500ms header timeout"


def test_the_header_deadline_holds_even_when_bytes_keep_trickling(serve):
    srv = serve("--header-timeout", "1s")
    with Conn(srv.port) as c:
        start = time.monotonic()
        c.send(b"GET /hello.txt HTTP/1.1\r\n")
        for i in range(4):  # a slowloris: one field every 0.4 s, never the end of the head
            time.sleep(0.4)
            try:
                c.send(f"X-{i}: slow\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
        res = c.read_response(timeout=3)
        assert res.status == 408, res
        assert time.monotonic() - start < 3.0


def test_a_stalled_body_gets_408_and_close(serve):
    srv = serve("--body-timeout", "1s")
    with Conn(srv.port) as c:
        c.send(request("POST", "/hello.txt", headers=[("Content-Length", "100")]) + b"hello")
        assert_408_then_close(c, time.monotonic(), 1.0)


def test_a_body_that_keeps_arriving_within_the_body_timeout_is_read(serve):
    # Without a minimum rate, the body timeout alone decides: 20 bytes a second is slow enough
    # for the default body_min_rate to end it (the tests below).
    srv = serve("--body-timeout", "1s", "--body-min-rate", "0")
    with Conn(srv.port) as c:
        c.send(request("POST", "/hello.txt", headers=[("Content-Length", "30")]))
        for _ in range(3):  # 1.5 s in all, never 1 s without a byte
            time.sleep(0.5)
            c.send(b"x" * 10)
        res = c.read_response(timeout=3)
        assert res.status == 405, res  # the whole body was read; the file takes only GET/HEAD


def test_a_body_at_twice_the_minimum_rate_is_read_past_the_body_timeout(serve):
    srv = serve("--body-timeout", "1s", "--body-min-rate", "100")
    with Conn(srv.port) as c:
        c.send(request("POST", "/hello.txt", headers=[("Content-Length", "400")]))
        for _ in range(10):  # 2 s in all at 200 bytes a second: the deadline keeps ahead
            time.sleep(0.2)
            c.send(b"x" * 40)
        res = c.read_response(timeout=3)
        assert res.status == 405, res  # the whole body was read


def test_a_body_slower_than_the_minimum_rate_gets_408_though_it_never_pauses_a_body_timeout(
    serve,
):
    """A byte every 0.25 s never leaves the 1 s body timeout without a byte: only the rate
    (100 bytes a second after the first second) ends it, at about 1 s."""
    srv = serve("--body-timeout", "1s", "--body-min-rate", "100")
    with Conn(srv.port) as c:
        start = time.monotonic()
        c.send(request("POST", "/hello.txt", headers=[("Content-Length", "100")]))
        sent = 0
        while time.monotonic() - start < 4 and not c.has_data():
            try:
                c.send(b"x")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
            time.sleep(0.25)
        res = c.read_response(timeout=3)
        elapsed = time.monotonic() - start
        assert res.status == 408, res
        assert res.has_token("Connection", "close"), res
        assert 0.9 <= elapsed < 2.5, f"408 after {elapsed:.2f}s"
        assert sent < 100
        assert c.closes_within(1.0) == b""


def test_an_idle_keep_alive_connection_is_closed_silently(serve):
    srv = serve("--keep-alive-timeout", "1s")
    with Conn(srv.port) as c:
        c.send(request("GET", "/hello.txt"))
        res = c.read_response()
        assert res.status == 200 and res.body == SITE["hello.txt"], res
        idle_from = time.monotonic()
        extra = c.closes_within(3.0)
        elapsed = time.monotonic() - idle_from
        assert extra == b"", f"bytes sent on an idle connection: {extra[:200]!r}"
        assert elapsed >= 0.8, f"closed after {elapsed:.2f}s, before the 1s keep-alive timeout"


def test_a_keep_alive_connection_used_within_the_timeout_stays_open(serve):
    srv = serve("--keep-alive-timeout", "1s")
    with Conn(srv.port) as c:
        for _ in range(3):  # 0.6 s idle each time: never 1 s
            c.send(request("GET", "/hello.txt"))
            assert c.read_response().status == 200
            time.sleep(0.6)
        c.send(request("GET", "/hello.txt"))
        assert c.read_response().status == 200
