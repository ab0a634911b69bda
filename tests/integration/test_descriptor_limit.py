"""A server out of file descriptors: a file it cannot open is a 503 with Retry-After, not a 500,
and the operator reads one line about it, not one per request.

UBSan's check of a vptr asks whether memory is readable with a pipe(2); at the descriptor cap
that fails and the check reports "invalid vptr" (and aborts) wherever it runs. So these tests
run against the ThreadSanitizer build (scripts/tsan.sh lists this file), and are skipped, with
that reason, against a binary linked with UBSan."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest

from conftest import TEAPOT_BIN, require
from wire import Conn, request


def linked_with_ubsan(binary) -> bool:
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    return "libubsan" in out


pytestmark = pytest.mark.skipif(
    TEAPOT_BIN.is_file() and linked_with_ubsan(TEAPOT_BIN),
    reason="UBSan reports every vptr check at the descriptor cap (runs in the TSan build)")


def free_port_here() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_out_of_file_descriptors_a_file_gets_503_with_retry_after_and_one_log_line(tmp_path):
    require(TEAPOT_BIN, "teapot")
    # The server's descriptors are capped (soft and hard, so that it cannot raise them);
    # connections are opened until one is no longer accepted, and the last one accepted asks
    # for a file: its open fails with EMFILE.
    import resource

    CAP = 256
    root = tmp_path / "site"
    root.mkdir()
    for i in range(3):
        (root / f"f{i}.txt").write_bytes(b"x")
    port = free_port_here()

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (CAP, CAP))

    err = open(tmp_path / "stderr", "wb")
    proc = subprocess.Popen([str(TEAPOT_BIN), "serve", str(root), "--listen", f"127.0.0.1:{port}",
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=err,
                            preexec_fn=cap)
    conns = []
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.05)

        def open_fds() -> int:
            return len(os.listdir(f"/proc/{proc.pid}/fd"))

        def accepted(before: int) -> bool:
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                if open_fds() > before:
                    return True
                time.sleep(0.01)
            return False

        while True:
            before = open_fds()
            conns.append(Conn(port))
            if not accepted(before):
                break
            assert len(conns) < CAP, "the descriptor cap did not hold"
        last = conns[-2]
        for i in range(3):
            last.send(request("GET", f"/f{i}.txt"))
            res = last.read_response()
            assert res.status == 503, res
            assert res.header("Retry-After") == "1"
    finally:
        for c in conns:
            c.close()
        proc.terminate()
        proc.wait(timeout=10)
        err.close()
    lines = [l for l in (tmp_path / "stderr").read_text().splitlines() if "out of file descriptors" in l]
    assert len(lines) == 1, lines
