#!/usr/bin/env python3
"""GET latency of a one-worker teapot while its blocking-work pool is busy.

Each round starts example_upload (one worker, two pool threads) with an htpasswd file of bcrypt
cost-12 hashes, then at once sends twenty requests whose credentials all miss the cache (each a
quarter of a second of hashing on the pool) and one GET /block?ms=2000 (two seconds of blocking
work on the pool). While they run, another client sends GET /ping on a keep-alive connection,
one request after the other, and times each answer. The figure is the p99 of those times over
all rounds; the loop thread must never wait for the pool (target: p99 under 10 ms).

    cmake --preset release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
    cmake --build --preset release -j2
    python3 bench/blocking_latency.py                     # 5 rounds
    python3 bench/blocking_latency.py --rounds 10 --bin build/debug/examples/example_upload

Needs htpasswd (Debian package apache2-utils) to make the hashes.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PING = b"GET /ping HTTP/1.1\r\nHost: bench\r\n\r\n"
PONG_END = b"\r\n\r\npong"


def bcrypt_lines(users: dict[str, str], cost: int) -> list[str]:
    exe = shutil.which("htpasswd")
    if exe is None:
        sys.exit("blocking_latency: htpasswd not found (Debian package apache2-utils)")
    procs = {u: subprocess.Popen([exe, "-nbB", "-C", str(cost), u, pw], stdout=subprocess.PIPE)
             for u, pw in users.items()}
    return [procs[u].communicate()[0].decode().strip() for u in users]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary: Path, htpasswd: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([str(binary), "--listen", f"127.0.0.1:{port}", "--htpasswd",
                             str(htpasswd)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.02)
    proc.kill()
    sys.exit("blocking_latency: the server did not start")


def read_response(sock: socket.socket) -> bytes:
    """One whole response: the example's answers all carry Content-Length."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return head + b"\r\n\r\n" + body


def time_pings(port: int, keep_going, pause: float) -> list[float]:
    out = []
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while keep_going():
            t = time.perf_counter()
            s.sendall(PING)
            res = read_response(s)
            out.append(time.perf_counter() - t)
            if not res.startswith(b"HTTP/1.1 200") or not res.endswith(PONG_END):
                raise AssertionError(f"unexpected answer {res[:80]!r}")
            if pause:
                time.sleep(pause)
    return out


def one_round(binary: Path, htpasswd: Path, users: dict[str, str], block_ms: int,
              pause: float) -> tuple[list[float], list[float], float]:
    """(latencies under load, latencies at rest, seconds the load lasted)."""
    proc, port = start(binary, htpasswd)
    try:
        rest_until = time.monotonic() + 1.0
        at_rest = time_pings(port, lambda: time.monotonic() < rest_until, pause)
        slow = []
        block = socket.create_connection(("127.0.0.1", port))
        block.sendall(f"GET /block?ms={block_ms} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        slow.append((block, b"HTTP/1.1 200"))
        for i, (user, pw) in enumerate(users.items()):
            sent = pw if i % 2 == 0 else pw + "-wrong"
            token = base64.b64encode(f"{user}:{sent}".encode()).decode()
            c = socket.create_connection(("127.0.0.1", port))
            c.sendall(f"GET /private/ping HTTP/1.1\r\nHost: bench\r\n"
                      f"Authorization: Basic {token}\r\n\r\n".encode())
            slow.append((c, b"HTTP/1.1 200" if i % 2 == 0 else b"HTTP/1.1 401"))
        began = time.monotonic()
        done = threading.Event()
        problems: list[str] = []

        def collect():
            for c, want in slow:
                try:
                    res = read_response(c)
                    if not res.startswith(want):
                        problems.append(f"{want!r} expected, got {res[:40]!r}")
                except OSError as e:
                    problems.append(str(e))
                c.close()
            done.set()

        threading.Thread(target=collect, daemon=True).start()
        loaded = time_pings(port, lambda: not done.is_set(), pause)
        lasted = time.monotonic() - began
        if problems:
            sys.exit("blocking_latency: " + "; ".join(problems))
        return loaded, at_rest, lasted
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def line(name: str, values: list[float]) -> str:
    v = sorted(values)
    ms = [1000 * x for x in (percentile(v, 0.5), percentile(v, 0.9), percentile(v, 0.99), v[-1])]
    return (f"{name:<10} {len(v):>8} {ms[0]:>8.3f} {ms[1]:>8.3f} {ms[2]:>8.3f} {ms[3]:>8.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", type=Path, default=REPO / "build/release/examples/example_upload")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--cost", type=int, default=12)
    ap.add_argument("--block-ms", type=int, default=2000)
    ap.add_argument("--pause", type=float, default=0.0005,
                    help="seconds between two GETs of the timing client")
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"blocking_latency: {a.bin} not found; build the release preset first")
    users = {f"bench{i:02d}": f"secret-{i:02d}" for i in range(a.users)}
    with tempfile.TemporaryDirectory() as tmp:
        htpasswd = Path(tmp) / "htpasswd"
        htpasswd.write_text("\n".join(bcrypt_lines(users, a.cost)) + "\n")
        loaded: list[float] = []
        at_rest: list[float] = []
        for r in range(a.rounds):
            under, rest, lasted = one_round(a.bin, htpasswd, users, a.block_ms, a.pause)
            loaded += under
            at_rest += rest
            print(f"round {r + 1}: load lasted {lasted:.2f} s, {len(under)} GETs meanwhile, "
                  f"p99 {1000 * percentile(sorted(under), 0.99):.3f} ms", file=sys.stderr)
    print(f"{a.users} bcrypt cost-{a.cost} checks + {a.block_ms} ms of blocking work, one worker, "
          f"{a.rounds} rounds ({a.bin.name})")
    print(f"{'GET /ping':<10} {'samples':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    print(line("loaded", loaded))
    print(line("at rest", at_rest))


if __name__ == "__main__":
    main()
