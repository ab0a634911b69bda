"""server.send_buffer (`--send-buffer`): the SO_SNDBUF of every connection, which bounds the
kernel memory a client that requests a large file and never reads it can pin. Set by hand, the
kernel holds twice the value and autotuning no longer grows it; `ss -tm` (iproute2) shows the
limit as the `tb` of the server's socket, whatever the timing of the transfer.

Every server is stopped by its PID with SIGTERM at the end of its test, which then fails unless
the server exited with status 0 and left no sanitizer report on stderr.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, require, run_cli
from wire import Conn, request

BIG = 16 * 1024 * 1024  # far more than any send buffer: the server is left with bytes to send


def send_buffer_limit(server_port: int, client_port: int) -> int:
    """The `tb` (the socket's send buffer limit, sk_sndbuf) of the server's side of one
    connection, as `ss -tm` reports it."""
    ss = shutil.which("ss")
    if ss is None:
        pytest.fail("ss not found: install iproute2 (deps/debian-packages.txt)")
    p = subprocess.run(
        [ss, "-tmnH", "state", "established",
         f"( sport = :{server_port} and dport = :{client_port} )"],
        capture_output=True, text=True, timeout=10, check=True,
    )
    limits = re.findall(r"\btb(\d+)\b", p.stdout)
    assert len(limits) == 1, p.stdout
    return int(limits[0])


def stalled_reader_limit(port: int) -> int:
    """Requests the big file, reads its head only, and reports the server socket's limit."""
    with Conn(port) as c:
        c.send(request("GET", "/big.bin"))
        r = c.read_response(head=True)  # the head alone: the body stays unread
        assert r.status == 200 and int(r.header("Content-Length")) == BIG, r
        return send_buffer_limit(port, c.sock.getsockname()[1])


@pytest.fixture
def big_docroot(docroot: Path) -> Path:
    with open(docroot / "big.bin", "wb") as f:
        f.truncate(BIG)
    return docroot


def test_by_default_a_stalled_reader_is_limited_to_twice_128kib(serve, big_docroot):
    srv = serve()
    assert stalled_reader_limit(srv.port) == 2 * 128 * 1024


def test_the_send_buffer_flag_sets_the_limit_of_every_connection(serve, big_docroot):
    srv = serve("--send-buffer", "64KiB")
    assert stalled_reader_limit(srv.port) == 2 * 64 * 1024
    assert stalled_reader_limit(srv.port) == 2 * 64 * 1024


def test_the_send_buffer_of_the_configuration_file_sets_the_limit(
    start_server, big_docroot, tmp_path
):
    require(TEAPOT_BIN, "teapot")
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nsend_buffer = "96KiB"\n\n[[sites]]\ndefault = true\nroot = "{big_docroot}"\n'
    )
    srv = start_server([TEAPOT_BIN, "serve", "--config", config], "send-buffer")
    assert stalled_reader_limit(srv.port) == 2 * 96 * 1024


@pytest.mark.parametrize("value", ["4095", "536870913"])
def test_a_send_buffer_flag_out_of_range_is_refused(value):
    p = run_cli("serve", "--send-buffer", value, "--listen", "127.0.0.1:1")
    assert p.returncode != 0, (p.stdout, p.stderr)
    assert f"{value} bytes is out of range" in p.stderr.decode(), p.stderr
