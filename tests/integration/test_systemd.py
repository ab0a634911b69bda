"""teapot under systemd: socket activation (the listeners come from systemd-socket-activate, as
a socket unit passes them), TLS on the passed sockets named "https" or bound at a tls_listen
address, sd_notify reports on a NOTIFY_SOCKET the test binds, and the unit files of
deploy/systemd checked by systemd-analyze."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, TEAPOT_BIN, Server, free_port, require, run_cli, stop_all
from h2wire import H2Conn
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

    def start(self, before_exec=None) -> "SocketActivated":
        """before_exec(self), when given, runs once the ports are known and before teapot
        starts (it reads its configuration then)."""
        self.launch()
        if before_exec is not None:
            before_exec(self)
        # The first connection makes it exec teapot; teapot then answers it from the backlog.
        if not self.datagram:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                pass
            wait_for(lambda: "serving " in self.stderr() or self.proc.poll() is not None,
                     what="teapot to announce its listeners")
        return self


@pytest.fixture
def activated(tmp_path):
    """Factory: activated(teapot_args, names=["web"], before_exec=None) -> a started
    SocketActivated (see SocketActivated.start). Each is stopped with SIGTERM at the end; the
    test fails if one exits badly."""
    need_socket_activate()
    require(TEAPOT_BIN, "teapot")
    started: list[SocketActivated] = []
    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(teapot_args: list[str], names: list[str] | None = None,
              before_exec=None) -> SocketActivated:
        s = SocketActivated([str(a) for a in teapot_args], names or ["web"], log_dir,
                            f"activated-{len(started)}")
        started.append(s)
        return s.start(before_exec)

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


# -- TLS on passed sockets --------------------------------------------------------------------

HOSTS = ("localhost", "other.test")
UNSERVED = "tls_listen is not served"


class TlsSites:
    """Two sites, localhost and other.test, each with its certificate from `teapot cert`, and
    the configuration that serves them; write() puts in the addresses once they are known."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path / "www"
        self.root.mkdir()
        (self.root / "hello.txt").write_bytes(b"Hello over TLS\n")
        self.certs: dict[str, Path] = {}
        for host in HOSTS:
            self.certs[host] = make_cert(tmp_path / host, host)
        self.config = tmp_path / "teapot.toml"

    def write(self, tls_listen: list[str], server_keys: str = "") -> None:
        listed = ", ".join(f'"{a}"' for a in tls_listen)
        self.config.write_text(
            f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = [{listed}]\nworkers = 2\n'
            'drain_timeout = "1s"\n' + server_keys
            + "".join(
                f'[[sites]]\nhosts = ["{host}"]\nroot = "{self.root}"\n'
                f'[sites.tls]\ncertificate = "{self.certs[host]}/cert.pem"\n'
                f'key = "{self.certs[host]}/key.pem"\n'
                for host in HOSTS
            )
        )

    def context(self, host: str, alpn: list[str]) -> ssl.SSLContext:
        """Trusts only host's certificate, so that a handshake that succeeds proves which
        certificate was served."""
        ctx = ssl.create_default_context(cafile=str(self.certs[host] / "cert.pem"))
        ctx.set_alpn_protocols(alpn)
        return ctx


def make_cert(folder: Path, host: str, force: bool = False) -> Path:
    p = run_cli("cert", str(folder), "--host", host, *(["--force"] if force else []))
    assert p.returncode == 0, p.stderr
    return folder


def der_of(folder: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert((folder / "cert.pem").read_text())


def tls_get(port: int, ctx: ssl.SSLContext, host: str) -> tuple[str | None, bytes, bytes]:
    """GET /hello.txt over HTTP/1.1 and TLS: ALPN's choice, the certificate (DER), the bytes."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname=host) as s:
        s.sendall(f"GET /hello.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                  .encode())
        got = b""
        while chunk := s.recv(65536):
            got += chunk
        return s.selected_alpn_protocol(), s.getpeercert(binary_form=True), got


def no_http_answer_to_plain_bytes(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except ConnectionResetError:
            pass
    return b"HTTP/" not in got  # at most a TLS alert, then the connection closed


@pytest.fixture
def tls_sites(tmp_path) -> TlsSites:
    require(TEAPOT_BIN, "teapot")
    return TlsSites(tmp_path)


@pytest.mark.parametrize("host", HOSTS)
def test_a_socket_named_https_speaks_tls_beside_the_plain_one(activated, tls_sites, host):
    # tls_listen names an address nobody passes: the name alone makes the socket TLS.
    unbound = free_port()
    s = activated(["serve", "--config", tls_sites.config], names=["http", "https"],
                  before_exec=lambda _: tls_sites.write([f"127.0.0.1:{unbound}"]))
    plain, tls = s.ports
    r = get(plain, "/hello.txt")
    assert r.status == 200 and r.body == b"Hello over TLS\n", r

    alpn, cert, got = tls_get(tls, tls_sites.context(host, ["http/1.1"]), host)
    assert alpn == "http/1.1"
    assert cert == der_of(tls_sites.certs[host])
    assert got.startswith(b"HTTP/1.1 200 ") and got.endswith(b"Hello over TLS\n"), got
    with H2Conn.tls(tls, str(tls_sites.certs[host] / "cert.pem"), server_name=host) as h2:
        r2 = h2.get("/hello.txt", authority=host, scheme="https")
        assert r2.status == 200 and r2.body == b"Hello over TLS\n", r2
        assert h2.sock.getpeercert(binary_form=True) == der_of(tls_sites.certs[host])
    assert no_http_answer_to_plain_bytes(tls)

    log = s.stderr()
    assert f"127.0.0.1:{plain} (http), 127.0.0.1:{tls} (https, TLS)" in log, log
    assert UNSERVED not in log, log
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", unbound), timeout=2).close()


def test_a_socket_at_a_tls_listen_address_speaks_tls_whatever_its_name(activated, tls_sites):
    # One socket unit names all its sockets alike: the address tells the TLS one.
    s = activated(["serve", "--config", tls_sites.config], names=["http", "http"],
                  before_exec=lambda a: tls_sites.write([f"127.0.0.1:{a.ports[1]}"]))
    plain, tls = s.ports
    assert get(plain, "/hello.txt").status == 200
    alpn, cert, got = tls_get(tls, tls_sites.context("localhost", ["h2", "http/1.1"]),
                              "localhost")
    assert alpn == "h2" and cert == der_of(tls_sites.certs["localhost"])
    assert no_http_answer_to_plain_bytes(tls)
    log = s.stderr()
    assert f"127.0.0.1:{tls} (http, TLS)" in log and UNSERVED not in log, log


def test_tls_listen_without_a_tls_socket_is_warned_of_with_what_to_do(activated, tls_sites):
    configured = free_port()
    s = activated(["serve", "--config", tls_sites.config], names=["http"],
                  before_exec=lambda _: tls_sites.write([f"127.0.0.1:{configured}"]))
    assert get(s.port, "/hello.txt").status == 200
    # Written at start, before the line that tells the addresses served.
    log = s.stderr()
    assert (f'{UNSERVED}: no socket the service manager passed speaks TLS; name the TLS '
            'sockets "https" (FileDescriptorName=https in their socket unit, as '
            'teapot-https.socket does) or pass sockets at the tls_listen addresses '
            f"(127.0.0.1:{configured})") in log, log
    assert f"127.0.0.1:{s.port} (http)" in log
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", configured), timeout=2).close()


def test_a_socket_named_https_without_a_certificate_stops_the_start(tmp_path, docroot):
    need_socket_activate()
    require(TEAPOT_BIN, "teapot")
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    s = SocketActivated(["serve", str(docroot)], ["https"], log_dir, "no-certificate")
    s.launch()
    try:
        # The connection makes it exec teapot, which refuses the socket and exits.
        with socket.create_connection(("127.0.0.1", s.port), timeout=5):
            pass
        assert s.wait(timeout=15) not in (None, 0), s.stderr()
    finally:
        s.stop()
    assert ("socket 3 (https) passed by the service manager speaks TLS, but no site has a "
            "certificate: give one a [sites.tls] table") in s.stderr()


def test_sighup_gives_a_passed_tls_socket_the_renewed_certificate(activated, tls_sites):
    s = activated(["serve", "--config", tls_sites.config], names=["http", "https"],
                  before_exec=lambda _: tls_sites.write([]))
    tls = s.ports[1]
    first = der_of(tls_sites.certs["localhost"])
    any_cert = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    any_cert.check_hostname = False
    any_cert.verify_mode = ssl.CERT_NONE
    assert tls_get(tls, any_cert, "localhost")[1] == first

    renewed = der_of(make_cert(tls_sites.certs["localhost"], "localhost", force=True))
    assert renewed != first
    s.signal(signal.SIGHUP)
    wait_for(lambda: "loaded; new requests use its sites" in s.stderr(), what="the reload")
    # Each worker takes the new certificates when its loop next turns.
    wait_for(lambda: tls_get(tls, any_cert, "localhost")[1] == renewed,
             what="new connections to get the renewed certificate")
    for _ in range(4):  # whichever worker accepts it
        _alpn, cert, got = tls_get(tls, tls_sites.context("localhost", ["http/1.1"]),
                                   "localhost")
        assert cert == renewed and got.startswith(b"HTTP/1.1 200 "), got


def test_the_metrics_listener_counts_what_a_passed_tls_socket_served(activated, tls_sites):
    metrics = free_port()
    keys = f'[server.metrics]\nenabled = true\nlisten = "127.0.0.1:{metrics}"\n'
    s = activated(["serve", "--config", tls_sites.config], names=["https"],
                  before_exec=lambda _: tls_sites.write([], keys))
    for _ in range(3):
        got = tls_get(s.port, tls_sites.context("localhost", ["http/1.1"]), "localhost")[2]
        assert got.startswith(b"HTTP/1.1 200 "), got
    r = get(metrics, "/metrics")
    assert r.status == 200, r
    counts = re.findall(rb'^teapot_responses_total\{site="localhost",code="200"\} (\d+)$',
                        r.body, re.M)
    assert counts == [b"3"], r.body.decode(errors="replace")


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


def test_the_https_socket_unit_names_its_sockets_for_tls_and_feeds_the_service():
    lines = unit_lines("teapot-https.socket")
    for expected in ["FileDescriptorName=https", "Service=teapot.service",
                     "ListenStream=0.0.0.0:443", "ListenStream=[::]:443"]:
        assert expected in lines, f"teapot-https.socket lacks {expected}"
    # The plain unit's sockets keep a name that is not TLS's.
    assert "FileDescriptorName=http" in unit_lines("teapot.socket")


def test_systemd_analyze_verifies_the_units(tmp_path):
    if SYSTEMD_ANALYZE is None:
        pytest.skip("systemd-analyze not found (Debian's systemd package)")
    require(TEAPOT_BIN, "teapot")
    # verify checks that ExecStart's program exists: point it at the binary under test.
    names = ("teapot.service", "teapot.socket", "teapot-https.socket")
    for name in names:
        text = (UNITS / name).read_text().replace("/usr/local/bin/teapot", str(TEAPOT_BIN))
        (tmp_path / name).write_text(text)
    # --man=no: the man pages the units name are installed with the package, not here.
    p = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *(str(tmp_path / n) for n in reversed(names))],
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
