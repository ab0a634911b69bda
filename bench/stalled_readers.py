#!/usr/bin/env python3
"""Kernel memory pinned by clients that request a large file and never read it.

For each --send-buffer value, starts `teapot serve` on a docroot holding one sparse file, opens
--conns connections that each send `GET /big.bin` and then read nothing, waits until the
server's send queues stop growing, and reports, for the server's side of those connections
(from `ss -tm`, iproute2):

  tb      the send buffer limits (sk_sndbuf), summed
  w+f     the memory the send queues hold (queued bytes plus forward allocation), summed

and the change of the TCP `mem` line of /proc/net/sockstat (pages, converted to MiB), which
counts the clients' receive buffers too. Not run in CI: it takes a few seconds per value and
depends on the machine's sysctls (net.ipv4.tcp_wmem, net.core.wmem_max).

  bench/stalled_readers.py                         # auto vs the default 128KiB, 300 readers
  bench/stalled_readers.py --send-buffer auto,64KiB,128KiB,256KiB --conns 300 --size 64MiB
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024


def default_teapot() -> Path:
    for preset in ("release", "debug"):
        exe = REPO / "build" / preset / "teapot"
        if exe.is_file():
            return exe
    sys.exit("no build/release/teapot nor build/debug/teapot: build one, or pass --teapot")


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+)(B|KiB|MiB|GiB)?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size")
    return int(m.group(1)) * {None: 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[m.group(2)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sockstat_tcp_pages() -> int:
    for line in Path("/proc/net/sockstat").read_text().splitlines():
        if line.startswith("TCP:"):
            fields = line.split()
            return int(fields[fields.index("mem") + 1])
    raise RuntimeError("no TCP line in /proc/net/sockstat")


def server_side(port: int) -> tuple[int, int, int]:
    """(sockets, sum of tb, sum of w + f) over the server's established sockets."""
    out = subprocess.run(
        ["ss", "-tmnH", "state", "established", f"( sport = :{port} )"],
        capture_output=True, text=True, check=True,
    ).stdout
    sockets = tb = held = 0
    for skmem in re.findall(r"skmem:\(([^)]*)\)", out):
        values = dict(re.findall(r"([a-z]+)(\d+)", skmem))
        sockets += 1
        tb += int(values["tb"])
        held += int(values["w"]) + int(values["f"])
    return sockets, tb, held


def wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"teapot exited with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("teapot did not start")


def measure(teapot: Path, value: str, conns: int, size: int, settle: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="teapot-stalled-") as root:
        with open(Path(root) / "big.bin", "wb") as f:
            f.truncate(size)  # sparse: the page cache, not the disk, serves it
        port = free_port()
        argv = [str(teapot), "serve", root, "--listen", f"127.0.0.1:{port}", "--workers", "2",
                "--send-timeout", "300s", "--send-buffer", value]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        clients: list[socket.socket] = []
        try:
            wait_ready(port, proc)
            time.sleep(0.3)  # the readiness probe's socket goes away
            pages_before = sockstat_tcp_pages()
            request = b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
            for _ in range(conns):
                c = socket.create_connection(("127.0.0.1", port))
                c.sendall(request)
                clients.append(c)  # never read
            last, stable_since = -1, time.monotonic()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.2)
                sockets, tb, held = server_side(port)
                if held != last:
                    last, stable_since = held, time.monotonic()
                elif sockets == conns and time.monotonic() - stable_since >= settle:
                    break
            pages_after = sockstat_tcp_pages()
            sockets, tb, held = server_side(port)
        finally:
            for c in clients:
                c.close()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    page = os.sysconf("SC_PAGE_SIZE")
    return {
        "value": value, "sockets": sockets, "tb": tb, "held": held,
        "sockstat": (pages_after - pages_before) * page,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teapot", type=Path, default=None, help="the binary (default: build/release, else build/debug)")
    ap.add_argument("--send-buffer", default="auto,128KiB", help="comma-separated values of --send-buffer")
    ap.add_argument("--conns", type=int, default=300)
    ap.add_argument("--size", type=parse_size, default=64 * MiB, help="size of the file each client asks for")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds the queues must stay still")
    args = ap.parse_args()
    teapot = args.teapot or default_teapot()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.conns + 64)), hard))
    print(f"{args.conns} readers of a {args.size // MiB} MiB file that never read; {teapot}")
    with open("/proc/sys/net/ipv4/tcp_wmem") as f:
        print(f"net.ipv4.tcp_wmem = {f.read().strip()}")
    print()
    print("| send_buffer | server sockets | sum of tb (MiB) | sum of w+f (MiB) | sockstat TCP mem (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for value in args.send_buffer.split(","):
        r = measure(teapot, value, args.conns, args.size, args.settle)
        print(f"| {r['value']} | {r['sockets']} | {r['tb'] / MiB:.1f} | {r['held'] / MiB:.1f} | "
              f"{r['sockstat'] / MiB:.1f} |", flush=True)


if __name__ == "__main__":
    main()
