#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: a figure that does not move with the load of
the machine, for comparing two builds of the hot path.

Each binary serves a one-file root under `valgrind --tool=callgrind` (one worker); a client
sends N requests for /hello.txt on one keep-alive connection, one at a time (`seq`) or 16 per
write (`pipe16`), then stops the server. Two runs, of FEW and of MANY requests, cancel what
start-up and shut-down cost: (Ir(MANY) - Ir(FEW)) / (MANY - FEW) is what one request costs,
the kernel's part excluded. The same difference of the instructions spent inside malloc and
free tells whether a request allocates: 0 means none in steady state.

  bench/instructions.py build/release/teapot
  bench/instructions.py before=/path/to/old/teapot after=build/release/teapot --modes seq,pipe16
  bench/instructions.py off=build/release/teapot "on=build/release/teapot --metrics"

Words after the binary in a spec are flags of `teapot serve`.
"""

from __future__ import annotations

import argparse
import glob
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REQUEST = b"GET /hello.txt HTTP/1.1\r\nHost: bench\r\n\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 60  # valgrind starts slowly
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def drive(port: int, n: int, depth: int) -> None:
    s = connect(port)
    buf = b""
    for _ in range(n // depth):
        s.sendall(REQUEST * depth)
        for _ in range(depth):
            while b"\r\n\r\n" not in buf:
                buf += s.recv(65536)
            head, _, buf = buf.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            while len(buf) < length:
                buf += s.recv(65536)
            buf = buf[length:]
    s.close()


ALLOCATOR = ("malloc.c:malloc ", "malloc.c:free ", "malloc.c:_int_malloc ", "malloc.c:_int_free ")


def allocator_ir(callgrind_file: str) -> int:
    """Instructions spent in glibc's malloc and free, from callgrind_annotate's table."""
    report = subprocess.run(["callgrind_annotate", callgrind_file], capture_output=True,
                            text=True, check=True).stdout
    total = 0
    for line in report.splitlines():
        if any(name in line for name in ALLOCATOR):
            total += int(line.split()[0].replace(",", ""))
    return total


def total_ir(binary: str, root: Path, n: int, depth: int, work: Path) -> tuple[int, int]:
    port = free_port()
    out = work / f"callgrind.{port}"
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary.split()[0], "serve",
         str(root), "--listen", f"127.0.0.1:{port}", "--workers", "1", *binary.split()[1:]],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        drive(port, n, depth)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    total = allocated = 0
    for f in glob.glob(f"{out}*"):  # one file per thread that ran
        for line in Path(f).read_text().splitlines():
            if line.startswith("totals:"):
                total += int(line.split()[1])
        allocated += allocator_ir(f)
        os.unlink(f)
    return total, allocated


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("binaries", nargs="+", help="BIN or NAME=BIN")
    p.add_argument("--modes", default="seq,pipe16")
    p.add_argument("--few", type=int, default=1600)
    p.add_argument("--many", type=int, default=9600)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "root"
        root.mkdir()
        (root / "hello.txt").write_bytes(b"Hello, file!\n")
        modes = a.modes.split(",")
        print("| build | " + " | ".join(f"Ir/request {m} | malloc+free Ir/request {m}"
                                         for m in modes) + " |")
        print("|---|" + "---:|" * 2 * len(modes))
        for spec in a.binaries:
            name, _, binary = spec.partition("=") if "=" in spec.split()[0] else ("", "", spec)
            cells = []
            for mode in a.modes.split(","):
                depth = 16 if mode == "pipe16" else 1
                few, few_alloc = total_ir(binary, root, a.few, depth, work)
                many, many_alloc = total_ir(binary, root, a.many, depth, work)
                cells.append(f"{(many - few) / (a.many - a.few):,.0f}")
                cells.append(f"{(many_alloc - few_alloc) / (a.many - a.few):,.1f}")
            print(f"| {name or binary} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
