"""A slow-client attack on loopback, bounded: 1,000 slowloris connections and 200 slow readers
while a good client makes 5,000 requests, against max_connections = 400 (reached: the attack
opens 1,200) and max_connections_per_address = 50.

The attack (slow_clients.py, a process of its own) comes from 20 loopback addresses; the good
client from 127.0.0.1, 100 requests per connection, 50 connections spread over the attack:

1. 400 slowloris, 100 from each of 4 addresses: 50 of each are refused with 503 (their
   address's share), the others wait, trickling a header line every 0.5 s.
2. 200 slow readers, 50 from each of 4 addresses: each asks for a 2 MiB file with a 4 KiB
   receive buffer and reads nothing.
3. 600 slowloris, 50 from each of 12 addresses, at 1,000 a second: the cap is reached, and
   each new connection takes the place of the one that has waited longest for a request.

What must hold: the good client sees no error (every response a 200 with the file's bytes);
exactly the 200 connections past their address's share get 503, and no other; every slowloris
ends (408, or closed when it gave way) no later than header_timeout (2 s) after it connected,
with some slack for a loaded machine; every slow reader's response is cut short by the server
after send_timeout (2 s); once the last attacking connection is that old, the server holds no
attacking socket; and the server's resident memory grows by less than RSS_GROWTH_BOUND_MIB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from conftest import SITE, TEAPOT_BIN, build_docroot, require
from wire import Conn, request

HEADER_TIMEOUT = 2.0
SEND_TIMEOUT = 2.0
SLACK = 1.5  # seconds a loaded 2-core machine may add to a timer's end, as seen by a client
MAX_CONNECTIONS = 400
PER_ADDRESS = 50
GOOD_REQUESTS = 5000
PER_CONNECTION = 100
BATCH_GAP = 0.08  # seconds between the good client's connections, at least
BIG = 2 * 1024 * 1024
# How much the server's resident memory grows under the attack (its peak, VmHWM, less what it
# held before), in the ASan + UBSan debug build that CI runs: 15 to 16 MiB measured (ASan's
# shadow and quarantine included), with 400 connections open, half of them holding a working
# set. 64 KiB kept for each of the 1,200 attacking connections (75 MiB) would pass the bound.
# The growth, not the peak: what the server holds before any connection follows the size of
# the debug binary (59 MiB when this test was written, 103 MiB and more since), not the attack.
RSS_GROWTH_BOUND_MIB = 60

PLAN = {
    "refused_phase": {
        "addresses": [f"127.0.1.{i}" for i in range(1, 5)],
        "each": 100,
        "share": PER_ADDRESS,
    },
    "readers": {"addresses": [f"127.0.2.{i}" for i in range(1, 5)], "each": 50, "path": "/big.bin"},
    "slowloris": {
        "addresses": [f"127.0.3.{i}" for i in range(1, 13)],
        "each": 50,
        "per_second": 1000,
    },
    "trickle_every": 0.5,
    "give_up_after": HEADER_TIMEOUT + SEND_TIMEOUT + 5,
    "drain_after": max(HEADER_TIMEOUT, SEND_TIMEOUT) + SLACK + 0.5,
}

CONFIG = """\
[server]
listen = ["127.0.0.1:1"]
workers = 2
drain_timeout = "2s"
max_connections = {max_connections}
max_connections_per_address = {per_address}
send_buffer = "16KiB"

[server.limits]
header_timeout = "2s"
body_timeout = "2s"
keep_alive_timeout = "5s"
send_timeout = "2s"

[access_log]
enabled = false

[[sites]]
default = true
root = "{root}"
"""


def sockets_of(pid: int) -> int:
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                n += 1
        except FileNotFoundError:
            pass
    return n


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field}")


class Sampler(threading.Thread):
    """The server's socket count, every 50 ms, with the monotonic time of each sample."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.samples.append((time.monotonic(), sockets_of(self.pid)))
            time.sleep(0.05)


def good_client(port: int) -> tuple[int, list[str], float]:
    """GOOD_REQUESTS requests, PER_CONNECTION on each connection. Returns the 200s with the
    right bytes, the errors, and the longest wait for one response."""
    ok = 0
    errors: list[str] = []
    slowest = 0.0
    start = time.monotonic()
    for batch in range(GOOD_REQUESTS // PER_CONNECTION):
        wait = start + batch * BATCH_GAP - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            with Conn(port, timeout=10) as c:
                for _ in range(PER_CONNECTION):
                    sent = time.monotonic()
                    c.send(request("GET", "/hello.txt"))
                    r = c.read_response(timeout=10)
                    slowest = max(slowest, time.monotonic() - sent)
                    if r.status == 200 and r.body == SITE["hello.txt"]:
                        ok += 1
                    else:
                        errors.append(f"batch {batch}: {r!r}")
        except (AssertionError, OSError) as e:
            errors.append(f"batch {batch}: {type(e).__name__}: {e}")
    return ok, errors, slowest


def test_slow_clients_take_no_place_from_a_good_client(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "site")
    (root / "big.bin").write_bytes(b"b" * BIG)
    config = tmp_path / "teapot.toml"
    config.write_text(
        CONFIG.format(max_connections=MAX_CONNECTIONS, per_address=PER_ADDRESS, root=root)
    )
    srv = start_server([TEAPOT_BIN, "serve", "--config", config], "slow-clients")
    pid = srv.proc.pid
    listeners = 2  # one per worker
    deadline = time.monotonic() + 3
    while sockets_of(pid) > listeners:  # the readiness probe's close, seen on the server's time
        assert time.monotonic() < deadline, "the readiness probe's socket is still open"
        time.sleep(0.02)
    rss_before = memory_kib(pid, "VmRSS")

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    sampler = Sampler(pid)
    sampler.start()
    attack = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("slow_clients.py")), str(srv.port), plan],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ok, errors, slowest = good_client(srv.port)
        out, err = attack.communicate(timeout=60)
    finally:
        if attack.poll() is None:
            attack.kill()
            attack.wait()
        sampler.stopping.set()
        sampler.join()
    assert attack.returncode == 0, err.decode(errors="replace")[-3000:]
    result = json.loads(out)
    peak_kib = memory_kib(pid, "VmHWM")

    slowloris = result["slowloris"]
    readers = result["readers"]
    outcomes = Counter(s["outcome"] for s in slowloris)
    refused = Counter(s["source"] for s in slowloris if s["outcome"] == "503")
    longest = max(s["lifetime"] for s in slowloris if s["outcome"] != "503")
    at_timeout = [
        s for s in slowloris if s["outcome"] == "408" and s["lifetime"] >= 0.9 * HEADER_TIMEOUT
    ]
    gave_way = [s for s in slowloris if s["outcome"] != "503" and s not in at_timeout]
    peak_sockets = max(n for _, n in sampler.samples)
    # When the last attacking connection is past both timeouts (with slack), none is left.
    quiet_from = (
        result["started"] + result["last_connect"] + max(HEADER_TIMEOUT, SEND_TIMEOUT) + SLACK
    )
    after = [n for t, n in sampler.samples if quiet_from <= t <= quiet_from + 0.4]
    figures = (
        f"good client: {ok} of {GOOD_REQUESTS} served, {len(errors)} errors, slowest response "
        f"{slowest * 1000:.0f} ms; slowloris outcomes {dict(outcomes)}, refused per address "
        f"{dict(refused)}, {len(gave_way)} gave way to newer connections, {len(at_timeout)} "
        f"ended by the header timeout, longest lifetime "
        f"{longest:.2f} s; readers {Counter(r['status'] for r in readers)}, cut short "
        f"{sum(r['body_bytes'] < r['content_length'] for r in readers)}; server sockets after "
        f"{quiet_from - result['started']:.1f} s: {after[:3]}; peak server sockets "
        f"{peak_sockets}; RSS {rss_before // 1024} MiB before, peak "
        f"{peak_kib // 1024} MiB"
    )
    print(figures)

    assert peak_sockets >= MAX_CONNECTIONS, figures  # the cap was reached
    assert not errors and ok == GOOD_REQUESTS, f"{errors[:5]}\n{figures}"
    # Exactly the connections past their address's share are refused, and no other.
    assert refused == {a: 100 - PER_ADDRESS for a in PLAN["refused_phase"]["addresses"]}, figures
    assert set(outcomes) <= {"503", "408", "closed"}, figures  # none still open
    assert longest <= HEADER_TIMEOUT + SLACK, figures
    assert at_timeout, figures  # some waited out their whole header timeout
    assert len(readers) == 200 and all(r["status"] == "200" for r in readers), figures
    assert all(r["body_bytes"] < r["content_length"] == BIG for r in readers), figures
    assert all(r["closed_by_server"] for r in readers), figures
    assert after and max(after) <= listeners + 1, figures  # + the good client's, if still open
    assert peak_kib - rss_before < RSS_GROWTH_BOUND_MIB * 1024, figures
