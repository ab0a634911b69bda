"""Content that streams in (route_options::stream_body) and work off the event loop (the
blocking-work pool, deferred responses sent from any thread), through example_upload."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES_DIR, pattern, require, rss_kib
from wire import Conn, chunked, exchange, request

MiB = 1024 * 1024


@pytest.fixture
def upload(start_server):
    exe = EXAMPLES_DIR / "example_upload"
    require(exe, "example_upload")
    return start_server([exe], "upload")


def fnv1a(data: bytes) -> str:
    h = 14695981039346656037
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"




def test_a_streamed_upload_arrives_whole_and_in_order(upload):
    body = pattern(3 * MiB + 17)
    res = exchange(upload.port, request("PUT", "/upload/a", body=body), timeout=30)
    assert res.status == 201, res
    got = json.loads(res.body)
    assert got == {"bytes": len(body), "fnv": fnv1a(body), "trailers": {}}


def test_a_chunked_streamed_upload_gets_its_trailers_at_the_end(upload):
    parts = [pattern(5000), b"x" * 70000, b"tail"]
    body = b"".join(parts)
    framed = chunked(*parts)[:-2] + b"X-Checksum: abc123\r\nX-Note:  spaced \r\n\r\n"
    head = request("PUT", "/upload/b", headers=[("Transfer-Encoding", "chunked")])
    res = exchange(upload.port, head + framed, timeout=30)
    assert res.status == 201, res
    got = json.loads(res.body)
    assert got["bytes"] == len(body) and got["fnv"] == fnv1a(body), got
    assert got["trailers"] == {"X-Checksum": "abc123", "X-Note": "spaced"}, got


def test_a_whole_body_route_sees_the_trailers_of_a_chunked_body(upload):
    head = request("POST", "/trailers", headers=[("Transfer-Encoding", "chunked")])
    res = exchange(upload.port, head + b"3\r\nabc\r\n0\r\nX-Done: yes\r\n\r\n")
    assert res.status == 200, res
    assert json.loads(res.body) == {"X-Done": "yes"}


def test_a_large_streamed_upload_keeps_the_servers_memory_flat(upload):
    # 64 MiB through a consumer that holds every piece while the pool digests it: the client
    # is paused, not buffered, so the server's memory does not follow the upload's size.
    size = 64 * MiB
    piece = pattern(MiB)
    before = rss_kib(upload.proc.pid)
    with Conn(upload.port, timeout=60) as c:
        c.send(request("PUT", "/upload/big", headers=[("Content-Length", str(size))]))
        for _ in range(size // MiB):
            c.send(piece)
        res = c.read_response(timeout=60)
    assert res.status == 201, res
    got = json.loads(res.body)
    assert got["bytes"] == size and got["fnv"] == fnv1a(piece * (size // MiB)), got
    grown = rss_kib(upload.proc.pid) - before
    assert grown < 16 * 1024, f"RSS grew by {grown} KiB for a 64 MiB upload"


def test_streamed_content_at_the_limit_is_taken_and_one_byte_past_gets_413(upload):
    # /count has the default limit, 1 MiB, counted as the chunks are decoded.
    head = request("POST", "/count", headers=[("Transfer-Encoding", "chunked")])
    res = exchange(upload.port, head + chunked(b"a" * (MiB // 2), b"b" * (MiB // 2)), timeout=30)
    assert res.status == 200 and res.body == str(MiB).encode(), res
    with Conn(upload.port, timeout=30) as c:
        c.send(head + chunked(b"a" * (MiB // 2), b"b" * (MiB // 2 + 1)))
        res = c.read_response()
        assert res.status == 413, res
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(3) == b""


def test_streamed_content_announced_past_the_limit_gets_413_before_the_handler_runs(upload):
    with Conn(upload.port) as c:
        c.send(request("POST", "/count", headers=[("Content-Length", str(MiB + 1)),
                                                  ("Expect", "100-continue")]))
        res = c.read_response(timeout=3)
        assert res.status == 413, res


def test_curl_streams_an_upload_with_expect_100_continue(upload, tmp_path):
    payload = tmp_path / "payload.bin"
    payload.write_bytes(pattern(300 * 1024))
    p = subprocess.run(
        ["curl", "-sS", "--fail", "-H", "Expect: 100-continue", "--data-binary", f"@{payload}",
         f"http://127.0.0.1:{upload.port}/count"],
        capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout == str(300 * 1024).encode()


def test_a_handler_that_answers_from_the_head_sends_no_100_and_reads_no_content(upload):
    with Conn(upload.port) as c:
        c.send(request("POST", "/guarded", headers=[("Content-Length", "10"),
                                                    ("Expect", "100-continue")]))
        res = c.read_response(timeout=3)
        assert res.status == 403, f"expected the final 403 and no 100 first, got {res!r}"
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(3) == b""


def test_the_connection_carries_on_after_streamed_uploads(upload):
    a, b = pattern(70000), pattern(1234)
    with Conn(upload.port, timeout=30) as c:
        c.send(request("PUT", "/upload/1", body=a) + request("PUT", "/upload/2", body=b) +
               request("GET", "/ping"))
        first, second, third = c.read_response(), c.read_response(), c.read_response()
    assert first.status == 201 and json.loads(first.body)["fnv"] == fnv1a(a), first
    assert second.status == 201 and json.loads(second.body)["fnv"] == fnv1a(b), second
    assert third.status == 200 and third.body == b"pong", third


def test_a_client_that_leaves_mid_upload_leaves_the_server_serving(upload):
    with Conn(upload.port) as c:
        c.send(request("PUT", "/upload/gone", headers=[("Content-Length", str(8 * MiB))]))
        c.send(pattern(MiB))
    res = exchange(upload.port, request("GET", "/ping"))
    assert res.status == 200 and res.body == b"pong", res


def test_a_deferred_response_can_be_sent_from_a_pool_thread(upload):
    for _ in range(20):
        res = exchange(upload.port, request("GET", "/from-thread"))
        assert res.status == 200 and res.body == b"sent from a pool thread", res


def test_blocking_work_never_stalls_the_loop_for_other_clients(upload):
    # Both pool threads sleep for 2 s; the single worker's loop goes on answering at once.
    # The bound is generous on purpose (a sanitizer build on a busy machine); bench/ measures.
    slow = [Conn(upload.port, timeout=10) for _ in range(2)]
    try:
        for c in slow:
            c.send(request("GET", "/block?ms=2000"))
        time.sleep(0.1)
        latencies = []
        with Conn(upload.port) as c:
            for _ in range(50):
                t = time.monotonic()
                c.send(request("GET", "/ping"))
                res = c.read_response()
                latencies.append(time.monotonic() - t)
                assert res.status == 200, res
        latencies.sort()
        assert latencies[int(len(latencies) * 0.99) - 1] < 0.2, latencies[-5:]
        for c in slow:
            res = c.read_response(timeout=10)
            assert res.status == 200 and res.body == b"blocked 2000 ms off the loop", res
    finally:
        for c in slow:
            c.close()


def test_malformed_chunks_mid_stream_get_400_and_the_handler_is_left_behind_cleanly(upload):
    # The handler's pool work may still hold the request when the framing breaks: the server
    # answers 400 itself, and what the handler can reach stays alive until it lets go.
    head = request("PUT", "/upload/broken", headers=[("Transfer-Encoding", "chunked")])
    with Conn(upload.port) as c:
        c.send(head + b"%x\r\n" % 70000 + pattern(70000) + b"\r\nzz\r\n")
        res = c.read_response()
        assert res.status == 400, res
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(3) == b""
    res = exchange(upload.port, request("GET", "/ping"))
    assert res.status == 200 and res.body == b"pong", res
