#!/usr/bin/env python3
"""Slow clients against a loopback teapot: slowloris (heads that never end) and slow readers
(a large response never read), from many loopback addresses. Run as a process of its own by
test_slow_clients.py, so that the good client it measures shares no interpreter lock with it;
prints one JSON object with what each attacking connection saw.

  slow_clients.py PORT PLAN.json

The plan, in order:
  refused_phase  {"addresses": [...], "each": N}: N slowloris from each address at once, then
                 wait until the 503s of those past their address's share have come
  readers        {"addresses": [...], "each": N, "path": "/big.bin"}: slow readers
  slowloris      {"addresses": [...], "each": N, "per_second": R}: more slowloris, paced
  trickle_every  seconds between the header lines each slowloris adds
  give_up_after  seconds after the last connection when any still open is called a failure
  drain_after    seconds after the last connection before the slow readers are read

Every slowloris ends in one of: "503" (refused), "408" (answered, then closed), "closed"
(closed without a byte: given way as an idle connection would, or reset). Its lifetime runs
from its connect to that end. A slow reader is drained at the end: its bytes tell whether the
server cut its response short.
"""

from __future__ import annotations

import json
import resource
import selectors
import socket
import sys
import time

HEAD = b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slowloris\r\n"


class Slowloris:
    def __init__(self, port: int, source: str, phase: str):
        self.phase = phase
        self.source = source
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.began = time.monotonic()
        self.ended: float | None = None
        self.outcome: str | None = None
        self.received = b""
        self.lines = 0
        self.send(HEAD)

    def send(self, data: bytes) -> None:
        try:
            self.sock.send(data)
        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
            pass  # the end shows on the read side

    def on_readable(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return
        except ConnectionResetError:
            chunk = b""
        if chunk:
            self.received += chunk
            if b"\r\n" not in self.received:
                return
        self.finish()

    def finish(self) -> None:
        if self.outcome is not None:
            return
        self.ended = time.monotonic()
        status = self.received[9:12] if self.received.startswith(b"HTTP/1.1 ") else b""
        self.outcome = status.decode() if status else "closed"
        self.sock.close()

    def lifetime(self) -> float:
        return (self.ended or time.monotonic()) - self.began


class Reader:
    def __init__(self, port: int, source: str, path: str):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connecting, so that the kernel does not grow it: a few KiB unread stop
        # the server's writes.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.began = time.monotonic()
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())

    def drain(self, seconds: float) -> dict:
        """Reads to EOF (the server closed it) or for at most `seconds`."""
        got = b""
        eof = False
        deadline = time.monotonic() + seconds
        self.sock.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except ConnectionResetError:
                eof = True
                break
            if not chunk:
                eof = True
                break
            got += chunk
        self.sock.close()
        head, _, body = got.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return {
            "status": head[9:12].decode() if head.startswith(b"HTTP/1.1 ") else "",
            "body_bytes": len(body),
            "content_length": length,
            "closed_by_server": eof,
        }


def raise_descriptor_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"RLIMIT_NOFILE hard limit {hard} is below the {needed} descriptors needed")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


class Attack:
    def __init__(self, port: int, plan: dict):
        self.port = port
        self.plan = plan
        self.sel = selectors.DefaultSelector()
        self.slowloris: list[Slowloris] = []
        self.readers: list[Reader] = []
        self.last_line = time.monotonic()

    def open_slowloris(self, source: str, phase: str) -> None:
        s = Slowloris(self.port, source, phase)
        self.slowloris.append(s)
        self.sel.register(s.sock, selectors.EVENT_READ, s)

    def service(self, seconds: float) -> None:
        """Reads what the server sends and trickles header lines, for `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            for key, _ in self.sel.select(timeout=min(left, 0.05)):
                s: Slowloris = key.data
                s.on_readable()
                if s.outcome is not None:
                    self.sel.unregister(key.fileobj)
            if time.monotonic() - self.last_line >= self.plan["trickle_every"]:
                self.last_line = time.monotonic()
                for s in self.slowloris:
                    if s.outcome is None:
                        s.lines += 1
                        s.send(b"X-Slow-%d: still here\r\n" % s.lines)

    def open(self) -> list[Slowloris]:
        return [s for s in self.slowloris if s.outcome is None]

    def run(self) -> dict:
        t0 = time.monotonic()
        refused = self.plan["refused_phase"]
        for addr in refused["addresses"]:
            for _ in range(refused["each"]):
                self.open_slowloris(addr, "refused_phase")
        # The refusals come at once; their number is fixed by the per-address share (nothing
        # else is full yet): wait until it stops changing.
        expected = sum(max(0, refused["each"] - refused["share"]) for _ in refused["addresses"])
        wait_until = time.monotonic() + 5
        while time.monotonic() < wait_until:
            self.service(0.05)
            if sum(1 for s in self.slowloris if s.outcome == "503") >= expected:
                break
        self.service(0.2)
        readers = self.plan["readers"]
        for addr in readers["addresses"]:
            for _ in range(readers["each"]):
                self.readers.append(Reader(self.port, addr, readers["path"]))
        pace = self.plan["slowloris"]
        gap = 1.0 / pace["per_second"]
        for i in range(pace["each"]):
            for addr in pace["addresses"]:
                self.open_slowloris(addr, "slowloris")
            self.service(gap * len(pace["addresses"]))
        last_connect = time.monotonic()
        while self.open() and time.monotonic() - last_connect < self.plan["give_up_after"]:
            self.service(0.1)
        for s in self.open():
            s.outcome = "still open"
        # The readers stay unread until the server should have closed them, so that the
        # server's own count of sockets shows whether it did.
        self.service(max(0.0, last_connect + self.plan["drain_after"] - time.monotonic()))
        reader_results = [r.drain(2.0) for r in self.readers]
        return {
            "started": t0,
            "last_connect": last_connect - t0,
            "slowloris": [
                {
                    "phase": s.phase,
                    "source": s.source,
                    "outcome": s.outcome,
                    "began": s.began - t0,
                    "lifetime": s.lifetime(),
                }
                for s in self.slowloris
            ],
            "readers": [dict(began=r.began - t0, **res) for r, res in zip(self.readers, reader_results)],
        }


def main() -> None:
    port = int(sys.argv[1])
    with open(sys.argv[2]) as f:
        plan = json.load(f)
    total = (
        len(plan["refused_phase"]["addresses"]) * plan["refused_phase"]["each"]
        + len(plan["readers"]["addresses"]) * plan["readers"]["each"]
        + len(plan["slowloris"]["addresses"]) * plan["slowloris"]["each"]
    )
    raise_descriptor_limit(total + 256)
    print(json.dumps(Attack(port, plan).run()))


if __name__ == "__main__":
    main()
