"""SIGHUP reloads `teapot serve --config FILE` without dropping a connection: new requests get
the new sites, requests in flight finish on the old ones, a broken file changes nothing but the
error log, and what needs a restart is said so.

Every test writes its own file and starts the server on it (conftest's Server appends --listen,
which stands beside --config and overrides the file's listener, on reload too). Every server is
stopped by its PID with SIGTERM at the end of its test, which then fails unless the server
exited with status 0 and left no sanitizer report on stderr.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import signal
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, require
from wire import Conn, exchange, request

BIG_SIZE = 24 * 1024 * 1024


def config_text(tmp: Path, body: str, *, root: bool = True, workers: int = 2) -> str:
    site_root = f'root = "{tmp / "site"}"\n' if root else ""
    return f"""\
[server]
listen = ["127.0.0.1:1"]
workers = {workers}
drain_timeout = "2s"

[server.limits]
send_timeout = "20s"

[access_log]
path = "{tmp / "access.log"}"

[error_log]
path = "{tmp / "error.log"}"
level = "info"

[[sites]]
default = true
{site_root}
[[sites.rules]]
exact = "/v"
kind = "return"
status = 200
body = "{body}"
"""


@pytest.fixture
def reload_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    # Every 4-byte word holds its own offset: a lost or repeated piece cannot go unnoticed.
    (site / "big.bin").write_bytes(
        b"".join(i.to_bytes(4, "big") for i in range(0, BIG_SIZE, 4))
    )
    return tmp_path


@pytest.fixture
def reloadable(start_server, reload_dir: Path):
    """Factory: reloadable(body) starts teapot on a config answering body at /v."""
    require(TEAPOT_BIN, "teapot")
    config = reload_dir / "teapot.toml"

    def start(body: str):
        config.write_text(config_text(reload_dir, body))
        return start_server([TEAPOT_BIN, "serve", "--config", config], "reload")

    return start


def error_log(tmp: Path) -> str:
    try:
        return (tmp / "error.log").read_text(errors="replace")
    except FileNotFoundError:
        return ""


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"not within {seconds}s: {what}")


def get_v(port: int) -> str:
    r = exchange(port, request("GET", "/v", headers=[("Connection", "close")]))
    assert r.status == 200, r
    return r.body.decode()


class Traffic(threading.Thread):
    """Requests /v without pause, on one keep-alive connection and on new connections in
    turn; records what came back and every failure."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.stopping = threading.Event()
        self.seen: dict[str, list[str]] = {"keep-alive": [], "new": []}
        self.failures: list[str] = []

    def run(self) -> None:
        kept = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        while not self.stopping.is_set():
            try:
                kept.request("GET", "/v")
                r = kept.getresponse()
                body = r.read().decode()
                if r.status != 200 or r.will_close:
                    self.failures.append(f"keep-alive: {r.status}, will_close={r.will_close}")
                self.seen["keep-alive"].append(body)
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(f"keep-alive: {e!r}")
                kept.close()
                kept = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                fresh = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                fresh.request("GET", "/v")
                r = fresh.getresponse()
                body = r.read().decode()
                fresh.close()
                if r.status != 200:
                    self.failures.append(f"new: {r.status}")
                self.seen["new"].append(body)
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(f"new connection: {e!r}")
        kept.close()

    def has_seen(self, body: str) -> bool:
        return all(seen and seen[-1] == body for seen in self.seen.values())


def test_sighup_swaps_in_the_new_sites_without_failing_a_request_and_a_broken_file_changes_nothing(
    reloadable, reload_dir: Path
):
    srv = reloadable("A")
    traffic = Traffic(srv.port)
    traffic.start()
    try:
        wait_for(lambda: traffic.has_seen("A"), 5, "the first answers")
        (reload_dir / "teapot.toml").write_text(config_text(reload_dir, "B"))
        srv.signal(signal.SIGHUP)
        # A keep-alive connection takes the new sites at its next request.
        wait_for(lambda: traffic.has_seen("B"), 10, "B on both the kept and new connections")
        time.sleep(0.3)  # some more traffic on the new configuration
    finally:
        traffic.stopping.set()
        traffic.join(10)
    assert traffic.failures == []
    for kind, bodies in traffic.seen.items():
        assert set(bodies) <= {"A", "B"}, kind
        assert bodies[-1] == "B", kind
    assert "loaded" in error_log(reload_dir)

    config = reload_dir / "teapot.toml"
    config.write_text(config_text(reload_dir, "C").replace('status = 200', 'status = "two hundred"'))
    srv.signal(signal.SIGHUP)
    line = wait_for(
        lambda: re.search(rf"\[error\] reload: {re.escape(str(config))}:(\d+):(\d+): .*status",
                          error_log(reload_dir)),
        10, "the broken file's mistake in the error log",
    )
    assert int(line.group(1)) == config.read_text().splitlines().index(
        'status = "two hundred"') + 1
    # The log is written off the loop, line by line: the refusal follows the mistake's line.
    wait_for(lambda: "reload failed, the running configuration stays: " + str(config) +
             " has 1 mistake" in error_log(reload_dir), 10, "the refusal in the error log")
    for _ in range(8):  # every worker still answers with the last good configuration
        assert get_v(srv.port) == "B"


def test_a_download_in_flight_across_a_reload_completes_intact(reloadable, reload_dir: Path):
    srv = reloadable("A")
    expected = hashlib.sha256((reload_dir / "site" / "big.bin").read_bytes()).hexdigest()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.sendall(request("GET", "/big.bin", headers=[("Connection", "close")]))
        got = b""
        while len(got) < 256 * 1024:  # well under way, with most of it still on the server
            got += s.recv(65536)
        # The new configuration has no files at all: only the rule.
        (reload_dir / "teapot.toml").write_text(config_text(reload_dir, "B", root=False))
        srv.signal(signal.SIGHUP)
        wait_for(lambda: "loaded" in error_log(reload_dir), 10, "the reload")
        wait_for(lambda: get_v(srv.port) == "B", 5, "B after the reload")
        # A new request for the file finds no site serving files any more.
        assert exchange(srv.port, request("GET", "/big.bin")).status == 404
        while True:
            time.sleep(0.001)
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert f"Content-Length: {BIG_SIZE}".encode() in head
    assert len(body) == BIG_SIZE
    assert hashlib.sha256(body).hexdigest() == expected


def test_a_change_only_a_restart_can_apply_is_named_in_a_warning_and_the_sites_are_taken(
    reloadable, reload_dir: Path
):
    srv = reloadable("A")
    (reload_dir / "teapot.toml").write_text(config_text(reload_dir, "B", workers=3))
    srv.signal(signal.SIGHUP)
    wait_for(
        lambda: "[warn] reload: server.workers changed; it needs a restart" in error_log(reload_dir),
        10, "the warning",
    )
    wait_for(lambda: get_v(srv.port) == "B", 5, "the new sites all the same")
    assert "server.listen" not in error_log(reload_dir)  # --listen overrides the file on reload


def test_sigusr1_reopens_the_logs_after_a_rotation(reloadable, reload_dir: Path):
    srv = reloadable("A")
    access = reload_dir / "access.log"
    with Conn(srv.port) as c:
        c.send(request("GET", "/v?before"))
        assert c.read_response().status == 200
    wait_for(lambda: access.exists() and b"/v?before" in access.read_bytes(), 5, "the first line")
    access.rename(reload_dir / "access.log.1")
    srv.signal(signal.SIGUSR1)
    wait_for(lambda: "SIGUSR1: logs reopened" in error_log(reload_dir), 5, "the reopen")
    with Conn(srv.port) as c:
        c.send(request("GET", "/v?after"))
        assert c.read_response().status == 200
    wait_for(lambda: access.exists() and b"/v?after" in access.read_bytes(), 5, "a new file")
    assert b"/v?after" not in (reload_dir / "access.log.1").read_bytes()


def held_descriptors(pid: int) -> Counter[str]:
    """What the process's descriptors lead to ("/srv/site/f0.bin", "socket:[123]",
    "anon_inode:[eventpoll]"...), counted, without its client connections: those close when the
    server reads the client's close, in its own time, and come and go with the requests."""
    listening = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():  # a kernel without IPv6
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                listening.add(f"socket:[{fields[9]}]")
    held: Counter[str] = Counter()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue  # closed since the directory was read
        if target.startswith("socket:") and target not in listening:
            continue
        held[target] += 1
    return held


def test_reloads_do_not_pile_up_the_descriptors_of_the_file_cache(reloadable, reload_dir: Path):
    # Each worker keeps descriptors of large files it served. A worker that adopts the sites of
    # a reload closes what the old handlers kept on it, on its own thread, whether or not a
    # request reaches it afterwards; the old handlers' root directory closes with the last
    # worker that lets the old sites go. Once a reload has reached both workers, the server
    # therefore holds exactly what it held when it started: the same root directory, log files,
    # listeners and loop descriptors, and none of the files it served. The wait below is only
    # for the second worker's loop to run the reload's post; the state it waits for is exact.
    for i in range(8):
        (reload_dir / "site" / f"f{i}.bin").write_bytes(bytes([i]) * 100_000)
    config = reload_dir / "teapot.toml"
    srv = reloadable("A")
    pid = srv.proc.pid

    def fetch_all():
        for _ in range(2):  # over both workers, most likely
            for i in range(8):
                r = exchange(srv.port, request("GET", f"/f{i}.bin"))
                assert r.status == 200 and len(r.body) == 100_000, r

    def served_files_held() -> int:
        return sum(n for target, n in held_descriptors(pid).items() if target.endswith(".bin"))

    at_start = held_descriptors(pid)
    assert served_files_held() == 0, at_start
    for n in range(5):
        fetch_all()
        # One descriptor per file and worker that served it: every file was served at least
        # once, and no worker keeps two of one file.
        assert 8 <= served_files_held() <= 16, held_descriptors(pid)
        config.write_text(config_text(reload_dir, f"B{n}"))
        srv.proc.send_signal(signal.SIGHUP)
        wait_for(lambda n=n: get_v(srv.port) == f"B{n}", 5, f"reload {n}")
        deadline = time.monotonic() + 5
        while (now := held_descriptors(pid)) != at_start and time.monotonic() < deadline:
            time.sleep(0.05)
        assert now == at_start, (
            f"after reload {n}, held beyond the start: {now - at_start}, "
            f"no longer held: {at_start - now}"
        )
