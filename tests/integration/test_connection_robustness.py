"""The connection under pressure: a head that fills the buffer, deep pipelines, clients that read
slowly, stop reading, half-close or vanish, and deferred answers. Each test is a case where a
server can lose a response, hang, leak descriptors or touch freed memory; the ASan/UBSan build
and the fixture's check of stderr catch the last kind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import TEAPOT_BIN
from wire import Conn, exchange, request

MID = os.urandom(100 * 1024)
BIG = os.urandom(24 * 1024 * 1024)
SMALL = os.urandom(15 * 1024)


@pytest.fixture
def files(docroot):
    (docroot / "small.bin").write_bytes(SMALL)
    (docroot / "mid.bin").write_bytes(MID)
    (docroot / "big.bin").write_bytes(BIG)
    return docroot


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(1 << 20):
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def test_a_head_that_fills_the_input_buffer_is_answered_when_its_body_comes_later(hello):
    pad = [("X-Pad-%d" % i, "p" * 5000) for i in range(3)]
    head = request("POST", "/echo", headers=[("Content-Length", "5")] + pad)
    head = head[: -len(b"\r\n")]  # without its final CRLF, to pad it to 16 KiB exactly
    filler = 16384 - len(head) - len(b"X-Fill: \r\n\r\n")
    head += b"X-Fill: " + b"f" * filler + b"\r\n\r\n"
    assert len(head) == 16384
    with Conn(hello.port) as c:
        c.send(head)
        time.sleep(0.3)
        c.send(b"hello")
        res = c.read_response()
    assert res.status == 200 and res.body == b"hello", res


def test_forty_pipelined_file_requests_get_forty_responses(serve, files):
    srv = serve("--workers", "1")
    with Conn(srv.port, timeout=20) as c:
        c.send(request("GET", "/small.bin") * 40)
        for i in range(40):
            res = c.read_response()
            assert res.status == 200 and res.body == SMALL, i


def test_thousands_of_pipelined_requests_are_all_answered(hello):
    n = 5000
    with Conn(hello.port, timeout=30) as c:
        c.send(request("GET", "/hello") * n)
        for i in range(n):
            res = c.read_response()
            assert res.body == b"Hello, World!", i


def test_a_client_that_stops_reading_holds_few_descriptors_and_is_dropped(serve, files):
    srv = serve("--workers", "1", "--send-timeout", "1s")
    with Conn(srv.port) as c:  # the file cache's descriptor is open from here on
        c.send(request("GET", "/mid.bin"))
        assert c.read_response().status == 200
    before = open_fds(srv.proc.pid)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(request("GET", "/mid.bin") * 3000)
    time.sleep(0.5)
    assert open_fds(srv.proc.pid) - before < 20  # a few files in flight, not thousands
    time.sleep(2.0)  # past the send timeout
    assert open_fds(srv.proc.pid) <= before, "the stalled connection was not dropped"
    s.close()


def test_the_idle_timer_does_not_cut_a_slow_download(serve, files):
    srv = serve("--workers", "1", "--keep-alive-timeout", "1s")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(request("GET", "/big.bin"))
    data = b""
    deadline = time.monotonic() + 30
    while len(data) < len(BIG) + 100 and time.monotonic() < deadline:
        time.sleep(0.01)  # a reader slower than the keep-alive timeout over the whole body
        s.settimeout(5)
        chunk = s.recv(256 * 1024)
        if not chunk:
            break
        data += chunk
    s.close()
    assert data.endswith(BIG), f"got {len(data)} bytes"


def test_a_graceful_stop_lets_a_download_finish(serve, files):
    srv = serve("--workers", "1", "--drain-timeout", "30s")
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(request("GET", "/big.bin"))
    first = s.recv(65536)
    srv.signal(signal.SIGTERM)
    data = first + read_all(s, 10)
    s.close()
    assert data.endswith(BIG), f"got {len(data)} bytes"
    assert srv.wait(10) == 0


def test_a_client_that_half_closes_still_gets_the_whole_file(serve, files):
    srv = serve("--workers", "1")
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(request("GET", "/big.bin"))
    first = s.recv(65536)
    s.shutdown(socket.SHUT_WR)
    data = first + read_all(s, 10)
    s.close()
    assert data.endswith(BIG), f"got {len(data)} bytes"


def test_clients_that_vanish_during_interim_responses_do_not_hurt_the_server(hello):
    for i in range(30):
        s = socket.create_connection(("127.0.0.1", hello.port))
        s.sendall(request("GET", "/hints") * 300)
        time.sleep((i % 10) / 1000)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # a reset, with responses still on their way
    assert exchange(hello.port, request("GET", "/hello")).body == b"Hello, World!"


def test_a_response_sent_inside_its_own_handler_goes_out_once(hello):
    with Conn(hello.port) as c:
        c.send(request("GET", "/at-once") + request("GET", "/hello"))
        assert c.read_response().body == b"Deferred, and sent before the handler returned."
        assert c.read_response().body == b"Hello, World!"
        assert c.stays_open_for(0.3)  # and nothing more: two requests, two responses


def test_a_deferred_exchange_does_not_hold_back_the_responses_before_it(hello):
    with Conn(hello.port) as c:
        c.send(request("GET", "/hello") + request("GET", "/slow"))
        assert c.read_response().body == b"Hello, World!"
        # Held back, both answers would leave in one write 100 ms later, and the second one
        # would already be here.
        assert c.buf == b"", "the first answer waited for the deferred one"
        assert c.read_response().body == b"Thanks for waiting."


def test_a_failing_deferred_callback_gives_500_and_the_server_lives_on(hello):
    res = exchange(hello.port, request("GET", "/late-failure"))
    assert res.status == 500, res
    assert b"secret" not in res.body
    assert exchange(hello.port, request("GET", "/hello")).status == 200


def test_a_port_already_in_use_is_refused(teapot, docroot):
    p = subprocess.run(
        [str(TEAPOT_BIN), "serve", str(docroot), "--listen", f"127.0.0.1:{teapot.port}"],
        capture_output=True, timeout=20,
    )
    assert p.returncode != 0
    assert b"in use" in p.stderr


def test_an_empty_line_after_a_request_is_no_new_request_and_gets_no_408(serve, files):
    srv = serve("--header-timeout", "1s", "--keep-alive-timeout", "3s")
    with Conn(srv.port) as c:
        c.send(request("GET", "/small.bin") + b"\r\n")
        assert c.read_response().status == 200
        assert c.stays_open_for(1.5), "an empty line started the header timer"
