#!/usr/bin/env python3
"""A PROPFIND over a collection of 100,000 members against a one-worker teapot: the 207 streams,
so the server's memory must not grow with the size of the XML.

Makes --members empty files in a WebDAV area, sends one `PROPFIND Depth: 1` (allprop) and reads
the answer slowly (64 KiB every 10 ms, so that the server meets a client slower than itself),
then prints the XML's size, the time it took, and the server's RSS before and at its peak
(sampled from /proc every 50 ms).

    python3 bench/dav_propfind.py                         # 100,000 members, release build
    python3 bench/dav_propfind.py --members 20000 --bin build/debug/teapot
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

from dav_server import rss_kib, start_dav

REPO = Path(__file__).resolve().parents[1]






def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--delay", type=float, default=0.01, help="seconds between reads")
    ap.add_argument("--bin", type=Path, default=REPO / "build" / "release" / "teapot")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "dav"
        (root / "many").mkdir(parents=True)
        for i in range(args.members):
            (root / "many" / f"member-{i:06d}.txt").touch()
        proc, port = start_dav(args.bin, root, Path(tmp))
        try:
            before = rss_kib(proc.pid)
            peak = [before]
            anon = [rss_kib(proc.pid, "RssAnon")]
            anon_before = anon[0]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], rss_kib(proc.pid))
                    anon[0] = max(anon[0], rss_kib(proc.pid, "RssAnon"))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample)
            sampler.start()
            t0 = time.monotonic()
            received = 0
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
                s.sendall(b"PROPFIND /dav/many/ HTTP/1.1\r\nHost: bench\r\nDepth: 1\r\n"
                          b"Connection: close\r\n\r\n")
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    received += len(chunk)
                    time.sleep(args.delay)
            took = time.monotonic() - t0
            done.set()
            sampler.join()
            print(f"PROPFIND Depth 1 of {args.members} members: {received} bytes in {took:.1f} s")
            print(f"RSS: {before} KiB before, {peak[0]} KiB peak, growth {peak[0] - before} KiB "
                  f"(anonymous memory: {anon[0] - anon_before} KiB of it at most)")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
