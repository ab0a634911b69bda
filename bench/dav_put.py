#!/usr/bin/env python3
"""A large WebDAV PUT against a one-worker teapot: how much its memory grows, and how long
another client's GETs on the same worker wait meanwhile.

Starts `teapot serve` (one worker) with a WebDAV area on a fresh folder, then sends one PUT of
--size bytes (2 GiB by default) at full speed, while a second client sends GET of a small file
in the same area on a keep-alive connection, one after the other, timing each answer until the
PUT's 201 has come (which includes the temporary file's fsync, the rename and the directory's
fsync). Prints the server's RSS before, its peak while the PUT ran (sampled from /proc every
50 ms) and the GETs' p50/p99/max. Targets: growth under 32 MiB, p99 under 10 ms.

    cmake --preset release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
    cmake --build --preset release -j2
    python3 bench/dav_put.py                      # 2 GiB
    python3 bench/dav_put.py --size 512MiB --bin build/debug/teapot
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import tempfile
import threading
import time
from pathlib import Path

from dav_server import rss_kib, start_dav

REPO = Path(__file__).resolve().parents[1]


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+)(KiB|MiB|GiB)?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text}")
    return int(m.group(1)) * {None: 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[m.group(2)]






def read_response(sock: socket.socket, buf: bytearray) -> int:
    """Reads one response with Content-Length (or none); returns its status."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    length = int(m.group(1)) if m else 0
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    del buf[:]
    buf += rest[length:]
    return status


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=parse_size, default=parse_size("2GiB"))
    ap.add_argument("--bin", type=Path, default=REPO / "build" / "release" / "teapot")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("DAV_BENCH_DIR")) as tmp:
        root = Path(tmp) / "dav"
        root.mkdir()
        (root / "small.txt").write_bytes(b"x" * 512)
        proc, port = start_dav(args.bin, root, Path(tmp), f'[[server.body_limits]]\nprefix = "/dav/"\nmax = "{args.size}"\n')
        try:
            before = rss_kib(proc.pid)
            peak = [before]
            done = threading.Event()
            latencies: list[float] = []

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], rss_kib(proc.pid))
                    time.sleep(0.05)

            def getter() -> None:
                with socket.create_connection(("127.0.0.1", port)) as s:
                    buf = bytearray()
                    req = b"GET /dav/small.txt HTTP/1.1\r\nHost: bench\r\n\r\n"
                    while not done.is_set():
                        t0 = time.perf_counter()
                        s.sendall(req)
                        assert read_response(s, buf) == 200
                        latencies.append(time.perf_counter() - t0)

            threads = [threading.Thread(target=sample), threading.Thread(target=getter)]
            for t in threads:
                t.start()
            t0 = time.monotonic()
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(b"PUT /dav/big.bin HTTP/1.1\r\nHost: bench\r\nContent-Length: %d\r\n\r\n"
                          % args.size)
                block = b"\xab" * (1 << 20)
                left = args.size
                while left:
                    n = min(left, len(block))
                    s.sendall(block[:n])
                    left -= n
                status = read_response(s, bytearray())
            took = time.monotonic() - t0
            done.set()
            for t in threads:
                t.join()
            lat = sorted(latencies)
            pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
            print(f"PUT {args.size} bytes: {status} in {took:.1f} s "
                  f"({args.size / took / (1 << 20):.0f} MiB/s)")
            print(f"RSS: {before} KiB before, {peak[0]} KiB peak, growth {peak[0] - before} KiB")
            print(f"GET during the PUT: {len(lat)} requests, p50 {pick(0.5):.3f} ms, "
                  f"p99 {pick(0.99):.3f} ms, max {lat[-1] * 1000:.3f} ms")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
