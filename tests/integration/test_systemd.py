"""teapot under systemd: socket activation (the listeners come from systemd-socket-activate, as
a socket unit passes them), sd_notify reports on a NOTIFY_SOCKET the test binds, and the unit
files of deploy/systemd checked by systemd-analyze."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, TEAPOT_BIN, Server, free_port, require, stop_all
from wire import exchange, request

SOCKET_ACTIVATE = shutil.which("systemd-socket-activate")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNITS = REPO / "deploy" / "systemd"
# systemd-socket-activate passes only TERM, PATH, HOME and what -E names to the program.
PASSED_THROUGH = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "NOTIFY_SOCKET")


def need_socket_activate() -> None:
    if SOCKET_ACTIVATE is None:
        pytest.fail("systemd-socket-activate not found: install Debian's systemd package")


def wait_for(predicate, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class SocketActivated(Server):
    """systemd-socket-activate binds one listener per name on free loopback ports, then execs
    `teapot ARGS` (in its own process: the pid stays) at the first connection, passing the
    sockets as fds 3, 4, ... with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES."""

    def __init__(self, teapot_args: list[str], names: list[str], log_dir: Path, name: str,
                 datagram: bool = False):
        super().__init__([str(TEAPOT_BIN), *teapot_args], log_dir, name)
        self.names = names
        self.datagram = datagram
        self.ports: list[int] = []

    def argv(self) -> list[str]:
        out = [SOCKET_ACTIVATE]
        if self.datagram:
            out.append("--datagram")
        for port in self.ports:
            out += ["-l", f"127.0.0.1:{port}"]
        out.append("--fdname=" + ":".join(self.names))
        out += [f"-E{v}" for v in PASSED_THROUGH if v in os.environ]
        return out + self.base_argv

    def launch(self) -> None:
        for _attempt in range(3):
            self.ports = [free_port() for _ in self.names]
            self.port = self.ports[0]
            with open(self.log_dir / f"{self.name}.stdout", "wb") as out, open(
                self.stderr_path, "wb"
            ) as err:
                self.proc = subprocess.Popen(self.argv(), stdout=out, stderr=err,
                                             stdin=subprocess.DEVNULL)
            # It says so on stderr once it listens on every address, or exits if one is taken.
            wait_for(lambda: self.proc.poll() is not None
                     or self.stderr().count("Listening on") == len(self.ports),
                     what="systemd-socket-activate to listen")
            if self.proc.poll() is None:
                return
        pytest.fail(f"systemd-socket-activate did not start:\n{self.stderr()[-2000:]}")

    def start(self) -> "SocketActivated":
        self.launch()
        # The first connection makes it exec teapot; teapot then answers it from the backlog.
        if not self.datagram:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                pass
            wait_for(lambda: "serving " in self.stderr() or self.proc.poll() is not None,
                     what="teapot to announce its listeners")
        return self


@pytest.fixture
def activated(tmp_path):
    """Factory: activated(teapot_args, names=["web"]) -> a started SocketActivated. Each is
    stopped with SIGTERM at the end; the test fails if one exits badly."""
    need_socket_activate()
    require(TEAPOT_BIN, "teapot")
    started: list[SocketActivated] = []
    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(teapot_args: list[str], names: list[str] | None = None) -> SocketActivated:
        s = SocketActivated([str(a) for a in teapot_args], names or ["web"], log_dir,
                            f"activated-{len(started)}")
        started.append(s)
        return s.start()

    yield start
    stop_all(started)


def get(port: int, path: str):
    return exchange(port, request("GET", path))


# -- socket activation -----------------------------------------------------------------------


def test_the_server_takes_its_listener_from_systemd_and_answers_on_it(activated, docroot):
    unbound = free_port()
    s = activated(["serve", docroot, "--workers", "2", "--listen", f"127.0.0.1:{unbound}"])
    r = get(s.port, "/hello.txt")
    assert r.status == 200, r
    assert r.body == b"Hello, file!\n"
    log = s.stderr()
    assert f"127.0.0.1:{s.port} (web)" in log, log
    assert f"serving {docroot} on 127.0.0.1:{s.port}" in log, log
    # The passed socket replaces --listen: nothing was bound there.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", unbound), timeout=2).close()


def test_every_socket_passed_is_served_under_its_name(activated, docroot):
    s = activated(["serve", docroot, "--workers", "2"], names=["http", "alt"])
    for port in s.ports:
        r = get(port, "/one.txt")
        assert r.status == 200 and r.body == b"first\n", (port, r)
    log = s.stderr()
    assert f"127.0.0.1:{s.ports[0]} (http), 127.0.0.1:{s.ports[1]} (alt)" in log, log


def test_workers_sharing_the_passed_socket_answer_many_connections_at_once(activated, docroot):
    s = activated(["serve", docroot, "--workers", "4"])
    statuses: list[int] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        r = get(s.port, "/two.txt" if n % 2 else "/three.txt")
        with lock:
            statuses.append(r.status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [200] * 64


def test_a_datagram_socket_is_refused_at_start_with_the_reason(tmp_path, docroot):
    need_socket_activate()
    require(TEAPOT_BIN, "teapot")
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    s = SocketActivated(["serve", str(docroot)], ["udp"], log_dir, "datagram", datagram=True)
    s.launch()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(b"wake", ("127.0.0.1", s.port))  # makes it exec teapot
        assert s.wait(timeout=15) not in (None, 0), s.stderr()
    finally:
        s.stop()
    assert "socket 3 (udp) passed by the service manager is not a stream socket" in s.stderr()


# -- sd_notify -------------------------------------------------------------------------------


class Manager:
    """The service manager's end of NOTIFY_SOCKET: a Unix datagram socket that receives the
    sender's credentials, as systemd does to tell the main process's reports."""

    def __init__(self, name: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind("\0" + name[1:] if name.startswith("@") else name)

    def receive(self, timeout: float = 15.0) -> tuple[dict[str, str], int]:
        """The next report as KEY -> VALUE, and the pid that sent it."""
        self.sock.settimeout(timeout)
        data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = -1
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", payload[:12])[0]
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if line)
        return fields, pid

    def nothing_more(self) -> bool:
        self.sock.settimeout(0.3)
        try:
            self.sock.recv(4096)
        except (socket.timeout, BlockingIOError):
            return True
        return False

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def manager(monkeypatch):
    """A NOTIFY_SOCKET at a short path (sun_path holds 108 bytes; tmp_path can be longer)."""
    folder = tempfile.mkdtemp(prefix="teapot-notify-")
    path = os.path.join(folder, "notify")
    m = Manager(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    yield m
    m.close()
    shutil.rmtree(folder, ignore_errors=True)


def monotonic_usec() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


def test_ready_once_listening_and_stopping_on_sigterm_come_from_the_main_process(
    manager, serve
):
    s = serve()
    ready, pid = manager.receive()
    assert ready == {"READY": "1", "STATUS": f"serving on 127.0.0.1:{s.port}"}
    assert pid == s.proc.pid
    s.signal(signal.SIGTERM)
    stopping, pid = manager.receive()
    assert stopping == {"STOPPING": "1"} and pid == s.proc.pid
    assert s.wait(timeout=10) == 0
    assert manager.nothing_more()


def test_a_reload_is_reported_as_reloading_with_the_clock_then_ready(
    manager, start_server, tmp_path, docroot
):
    config = tmp_path / "teapot.toml"
    config.write_text(f'[[sites]]\ndefault = true\nroot = "{docroot}"\n')
    s = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot")
    assert manager.receive()[0]["READY"] == "1"

    before = monotonic_usec()
    s.signal(signal.SIGHUP)
    reloading, pid = manager.receive()
    after = monotonic_usec()
    assert reloading.keys() == {"RELOADING", "MONOTONIC_USEC"} and reloading["RELOADING"] == "1"
    assert before <= int(reloading["MONOTONIC_USEC"]) <= after
    assert pid == s.proc.pid
    assert manager.receive()[0] == {"READY": "1", "STATUS": f"serving on 127.0.0.1:{s.port}"}

    # A broken file is refused: the server says so and is ready again on the old one.
    config.write_text("[[sites]\n")
    s.signal(signal.SIGHUP)
    assert manager.receive()[0]["RELOADING"] == "1"
    ready = manager.receive()[0]
    assert ready["READY"] == "1"
    assert ready["STATUS"] == (
        f"reload failed, the running configuration stays: {config} has 1 mistake (logged above)"
    )
    assert get(s.port, "/hello.txt").status == 200


def test_an_abstract_notify_socket_is_reached(monkeypatch, serve):
    name = f"@teapot-notify-{os.getpid()}-{time.monotonic_ns()}"
    m = Manager(name)
    monkeypatch.setenv("NOTIFY_SOCKET", name)
    try:
        s = serve()
        ready, pid = m.receive()
        assert ready["READY"] == "1" and pid == s.proc.pid
    finally:
        m.close()


def test_a_notify_socket_nobody_listens_on_is_logged_and_the_server_runs(monkeypatch, serve):
    monkeypatch.setenv("NOTIFY_SOCKET", "/nonexistent-teapot-dir/notify")
    s = serve()
    assert get(s.port, "/hello.txt").status == 200
    # The log is written by a thread of its own: the line may come a moment later.
    wait_for(lambda: "cannot notify the service manager of READY=1: No such file or directory"
             in s.stderr(), what="the warning in the error log")


def test_socket_activation_and_notification_together(manager, activated, docroot):
    s = activated(["serve", docroot])
    ready, pid = manager.receive()
    assert ready == {"READY": "1", "STATUS": f"serving on 127.0.0.1:{s.port}"}
    # systemd-socket-activate execs teapot in its own process, which the manager watches.
    assert pid == s.proc.pid


# -- the unit files ----------------------------------------------------------------------------


def unit_lines(name: str) -> list[str]:
    return [
        line.strip()
        for line in (UNITS / name).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_the_service_is_type_notify_reloads_with_sighup_and_is_confined():
    lines = unit_lines("teapot.service")
    for expected in [
        "Type=notify",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
    ]:
        assert expected in lines, f"teapot.service lacks {expected}"


def test_systemd_analyze_verifies_the_units(tmp_path):
    if SYSTEMD_ANALYZE is None:
        pytest.skip("systemd-analyze not found (Debian's systemd package)")
    require(TEAPOT_BIN, "teapot")
    # verify checks that ExecStart's program exists: point it at the binary under test.
    for name in ("teapot.service", "teapot.socket"):
        text = (UNITS / name).read_text().replace("/usr/local/bin/teapot", str(TEAPOT_BIN))
        (tmp_path / name).write_text(text)
    # --man=no: the man pages the units name are installed with the package, not here.
    p = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(tmp_path / "teapot.socket"),
         str(tmp_path / "teapot.service")],
        capture_output=True, text=True, timeout=60,
    )
    assert p.returncode == 0 and not p.stderr.strip(), p.stderr + p.stdout
    p = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=true", str(tmp_path / "teapot.service")],
        capture_output=True, text=True, timeout=60,
    )
    level = re.search(r"Overall exposure level for teapot\.service: ([0-9.]+)", p.stdout)
    assert level, p.stdout + p.stderr
    # systemd calls up to 2.0 "OK"; 1.5 when written.
    assert float(level.group(1)) <= 2.0, p.stdout
