"""Content that streams out: a body_source the server pulls as the client takes it, and a
body_writer a handler pushes to from any thread with backpressure, through example_stream."""

from __future__ import annotations

import time

import pytest

from conftest import EXAMPLES_DIR, pattern, require, rss_kib
from wire import Conn, exchange, request

MiB = 1024 * 1024
# body_writer_state::mark (256 KiB) plus one 64 KiB piece written past it.
MAX_QUEUED = 256 * 1024 + 64 * 1024


@pytest.fixture
def stream(start_server):
    exe = EXAMPLES_DIR / "example_stream"
    require(exe, "example_stream")
    return start_server([exe], "stream")


def lines(n: int) -> bytes:
    return b"".join(b"line %d\n" % i for i in range(n))




def wait_for_text(port: int, target: str, want: str, seconds: float = 10.0) -> None:
    """Asks target until it answers want: the server's own state, reached as it gets there."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = exchange(port, request("GET", target)).body.decode()
        if last == want:
            return
        time.sleep(0.02)
    raise AssertionError(f"{target} still says {last!r}, not {want!r}")


def test_content_of_unknown_length_goes_chunked_with_the_sources_trailers(stream):
    res = exchange(stream.port, request("GET", "/lines?n=5000"), timeout=20)
    assert res.status == 200
    assert res.header("Transfer-Encoding") == "chunked"
    assert res.header("Content-Length") is None
    assert res.body == lines(5000)
    # The source's framing field is dropped: only Lines trails the content.
    assert res.trailers == [("Lines", "5000")]


def test_content_of_known_length_goes_with_content_length(stream):
    res = exchange(stream.port, request("GET", "/sized?n=3000"), timeout=20)
    assert res.status == 200
    assert res.header("Transfer-Encoding") is None
    assert res.header("Content-Length") == str(len(lines(3000)))
    assert res.body == lines(3000)


def test_http10_gets_the_content_delimited_by_close(stream):
    with Conn(stream.port) as c:
        c.send(request("GET", "/lines?n=50", version="HTTP/1.0"))
        res = c.read_response()  # no length: read to EOF
        assert res.status == 200
        assert res.version == "HTTP/1.1"
        assert res.header("Transfer-Encoding") is None
        assert res.header("Content-Length") is None
        assert res.body == lines(50)
        assert c.eof


def test_a_head_request_gets_the_head_and_never_pulls(stream):
    with Conn(stream.port) as c:
        c.send(request("HEAD", "/lines?n=5"))
        res = c.read_response(head=True)
        assert res.status == 200
        assert res.header("Transfer-Encoding") == "chunked"
        # The connection goes on: nothing of a content follows the head.
        c.send(request("GET", "/ping"))
        assert c.read_response().body == b"pong"


def test_a_head_request_cancels_a_writer(stream):
    assert exchange(stream.port, request("GET", "/cancelled")).body == b"0"
    res = exchange(stream.port, request("HEAD", "/watch"), head=True)
    assert res.status == 200
    # Cancelled on the loop before the head was written: the next request sees it.
    assert exchange(stream.port, request("GET", "/cancelled")).body == b"1"


def test_if_none_match_answers_304_without_content(stream):
    with Conn(stream.port) as c:
        c.send(request("GET", "/lines?n=5", headers=[("If-None-Match", '"lines-5"')]))
        res = c.read_response()
        assert res.status == 304
        assert res.header("ETag") == '"lines-5"'
        assert res.header("Transfer-Encoding") is None
        c.send(request("GET", "/ping"))
        assert c.read_response().body == b"pong"


def test_ranges_are_not_offered_on_streamed_content(stream):
    res = exchange(stream.port, request("GET", "/sized?n=10", headers=[("Range", "bytes=0-3")]))
    assert res.status == 200
    assert res.header("Accept-Ranges") is None
    assert res.body == lines(10)


def test_pipelined_requests_wait_for_the_streamed_content_and_keep_their_order(stream):
    with Conn(stream.port, timeout=20) as c:
        c.send(
            request("GET", "/lines?n=20000")
            + request("GET", "/ping")
            + request("GET", "/sized?n=7")
        )
        first = c.read_response()
        assert first.body == lines(20000)
        assert first.trailers == [("Lines", "20000")]
        assert c.read_response().body == b"pong"
        assert c.read_response().body == lines(7)


def test_a_parked_writer_streams_what_it_has_and_resumes_when_written_to(stream):
    with Conn(stream.port) as c:
        c.send(request("GET", "/gate?id=7"))
        # The head and the first piece arrive while the content is still open.
        head = c._take_until(b"\r\n\r\n", time.monotonic() + 5, "the head")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Transfer-Encoding: chunked\r\n" in head
        assert c._take_until(b"first\n\r\n", time.monotonic() + 5, "the first piece") == (
            b"6\r\nfirst\n\r\n"
        )
        assert exchange(stream.port, request("GET", "/open?id=7")).body == b"opened"
        assert c._take_until(b"0\r\n\r\n", time.monotonic() + 5, "the end") == (
            b"7\r\nsecond\n\r\n0\r\n\r\n"
        )
        c.send(request("GET", "/ping"))
        assert c.read_response().body == b"pong"


def test_a_writer_is_cancelled_when_its_client_leaves(stream):
    before = int(exchange(stream.port, request("GET", "/cancelled")).body)
    with Conn(stream.port) as c:
        c.send(request("GET", "/watch"))
        c._take_until(b"watching\n", time.monotonic() + 5, "the first piece")
    # The close reaches the server when it writes next or reads the hang-up; it cancels then.
    # A later request on a fresh connection makes it look at the first one's socket first.
    wait_for_text(stream.port, "/cancelled", str(before + 1))


def test_a_failing_source_leaves_the_chunked_content_open_and_closes(stream):
    with Conn(stream.port) as c:
        c.send(request("GET", "/fail"))
        head = c._take_until(b"\r\n\r\n", time.monotonic() + 5, "the head")
        assert b"Transfer-Encoding: chunked\r\n" in head
        rest = c.closes_within(5)
        # Three lines, and no last-chunk: the client can tell the content is incomplete.
        assert rest == b"15\r\n" + lines(3) + b"\r\n"


def test_a_source_short_of_its_length_closes_the_connection(stream):
    with Conn(stream.port) as c:
        c.send(request("GET", "/short") + request("GET", "/ping"))
        head = c._take_until(b"\r\n\r\n", time.monotonic() + 5, "the head")
        assert b"Content-Length: 100\r\n" in head
        # Ten bytes of the hundred, then the close; the pipelined request is never answered.
        assert c.closes_within(5) == b"0123456789"


def read_to_eof(c: Conn, seconds: float) -> bytes:
    """Everything until the server closes, without the quadratic copies of Conn's buffer."""
    out = bytearray(c.buf)
    c.buf = b""
    c.sock.settimeout(seconds)
    while chunk := c.sock.recv(1 << 20):
        out += chunk
    return bytes(out)


def dechunk(data: bytes) -> tuple[bytes, list[tuple[str, str]], bytes]:
    """(content, trailers, what follows) of chunked content."""
    view, at, body = memoryview(data), 0, bytearray()
    while True:
        eol = data.index(b"\r\n", at)
        size = int(data[at:eol], 16)
        at = eol + 2
        if size == 0:
            break
        body += view[at : at + size]
        assert data[at + size : at + size + 2] == b"\r\n"
        at += size + 2
    trailers = []
    while (eol := data.index(b"\r\n", at)) != at:
        name, _, value = data[at:eol].partition(b":")
        trailers.append((name.decode(), value.strip().decode()))
        at = eol + 2
    return bytes(body), trailers, data[at + 2 :]


def test_a_writer_on_another_thread_waits_for_a_slow_client_and_memory_stays_flat(stream):
    size = 64 * MiB
    with Conn(stream.port, timeout=30) as c:
        c.send(
            request("GET", "/bulk?mib=64&chunked=1", headers=[("Connection", "close")])
        )
        head = c._take_until(b"\r\n\r\n", time.monotonic() + 5, "the head")
        assert b"Transfer-Encoding: chunked\r\n" in head
        before = rss_kib(stream.proc.pid)
        # The client reads nothing: the socket buffers fill, then the writer's queue, then the
        # producer is told to wait.
        wait_for_text(stream.port, "/bulk-state", "waiting")
        grown_mib = (rss_kib(stream.proc.pid) - before) / 1024
        assert grown_mib < 16, f"RSS grew by {grown_mib:.1f} MiB while the client read nothing"
        raw = read_to_eof(c, 60)
    body, trailers, rest = dechunk(raw)
    assert body == pattern(size)
    assert rest == b""
    fields = dict(trailers)
    assert set(fields) == {"Waits", "Max-Queued"}
    assert int(fields["Waits"]) >= 1
    assert int(fields["Max-Queued"]) <= MAX_QUEUED


def test_a_client_that_reads_slower_than_the_stream_keeps_the_servers_memory_flat(stream):
    # The connection's buffer never empties for such a client: bytes already sent must not stay
    # in front of those appended (a 32 MiB stream grew the server by about as much before).
    size = 32 * MiB
    with Conn(stream.port, timeout=30, rcvbuf=32 * 1024) as c:
        c.send(request("GET", f"/bulk?mib={size // MiB}", headers=[("Connection", "close")]))
        before = rss_kib(stream.proc.pid)
        peak = before
        received = bytearray()
        while True:
            chunk = c.sock.recv(32 * 1024)
            if not chunk:
                break
            received += chunk
            if len(received) % (1 * MiB) < len(chunk):
                peak = max(peak, rss_kib(stream.proc.pid))
            time.sleep(0.002)
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert body == pattern(size)
    grown_mib = (peak - before) / 1024
    assert grown_mib < 8, f"RSS grew by {grown_mib:.1f} MiB for a slow reader"


def test_a_writer_with_a_length_sends_it_as_content_length(stream):
    size = 8 * MiB
    with Conn(stream.port, timeout=30) as c:
        c.send(request("GET", "/bulk?mib=8", headers=[("Connection", "close")]))
        head = c._take_until(b"\r\n\r\n", time.monotonic() + 5, "the head")
        assert b"Content-Length: %d\r\n" % size in head
        assert b"Transfer-Encoding" not in head
        assert read_to_eof(c, 60) == pattern(size)
