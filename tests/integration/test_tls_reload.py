"""Certificates and sessions across a reload: SIGHUP reads the sites' certificates again, new
connections get the new ones while open connections keep theirs, a certificate that does not
load refuses the reload, and session tickets resume across it, as the new certificates take the
running ticket keys. `[server.tls] ticket_rotation` is accepted from a minute up.

A certificate is told by its DER bytes (getpeercert(binary_form=True)): two `teapot cert`
runs for one host make two certificates with their own keys and serial numbers.
"""

from __future__ import annotations

import shutil
import signal
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, free_port, require, run_cli
from wire import Conn, request


def der_of(cert_dir: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert((cert_dir / "cert.pem").read_text())


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"not within {seconds}s: {what}")


@dataclass
class Reloadable:
    server: object  # conftest's Server
    tls_port: int
    live: Path  # the certificate and key the configuration names
    config: Path
    trust: ssl.SSLContext  # trusts the first certificate

    def connect(self, ctx: ssl.SSLContext | None = None,
                session: ssl.SSLSession | None = None) -> Conn:
        c = Conn(self.tls_port, timeout=10)
        c.sock = (ctx or self.trust).wrap_socket(c.sock, server_hostname="localhost",
                                                 session=session)
        return c

    def served_certificate(self) -> bytes:
        """The certificate a new connection gets, compared byte for byte by the tests: two
        self-signed certificates of one subject cannot both be trusted (a verifier takes the
        first of that name as the issuer)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with self.connect(ctx) as c:
            return c.sock.getpeercert(binary_form=True)

    def reload(self, outcome: str) -> None:
        """SIGHUP, then waits for the error log to tell outcome once more than before."""
        before = self.server.stderr().count(outcome)
        self.server.signal(signal.SIGHUP)
        wait_for(lambda: self.server.stderr().count(outcome) > before, 10, outcome)


LOADED = "loaded; new requests use its sites"
REFUSED = "SIGHUP: reload failed, the running configuration stays"


def get(c: Conn, close: bool = False) -> int:
    c.send(request("GET", "/hello.txt", headers=[("Connection", "close")] if close else []))
    res = c.read_final_response()[1]
    assert res.body == b"Hello\n" or res.status != 200, res
    return res.status


def make_cert(tmp_path: Path, name: str) -> Path:
    p = run_cli("cert", str(tmp_path / name), "--host", "localhost")
    assert p.returncode == 0, p.stderr
    return tmp_path / name


def install(cert_dir: Path, live: Path) -> None:
    """As a renewal tool does: the new files take the old ones' names."""
    for name in ("cert.pem", "key.pem"):
        shutil.copyfile(cert_dir / name, live / f".{name}.new")
        (live / f".{name}.new").replace(live / name)


@pytest.fixture
def reloadable(start_server, tmp_path: Path):
    """Factory: reloadable(server_keys) starts teapot on a localhost site whose certificate,
    from tmp_path/first, is read from tmp_path/live."""
    require(TEAPOT_BIN, "teapot")

    def start(server_keys: str = "") -> Reloadable:
        root = tmp_path / "www"
        root.mkdir()
        (root / "hello.txt").write_bytes(b"Hello\n")
        first = make_cert(tmp_path, "first")
        live = tmp_path / "live"
        live.mkdir()
        install(first, live)
        tls_port = free_port()
        config = tmp_path / "teapot.toml"
        config.write_text(
            f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
            f'workers = 2\ndrain_timeout = "1s"\n{server_keys}'
            '[server.limits]\nkeep_alive_timeout = "30s"\n'
            f'[[sites]]\nhosts = ["localhost"]\nroot = "{root}"\n'
            '[sites.tls]\ncertificate = "live/cert.pem"\nkey = "live/key.pem"\n'
        )
        server = start_server([TEAPOT_BIN, "serve", "--config", config], "tls-reload")
        trust = ssl.create_default_context(cafile=str(first / "cert.pem"))
        return Reloadable(server, tls_port, live, config, trust)

    return start


def test_sighup_serves_a_renewed_certificate_to_new_connections_and_keeps_open_ones(
    reloadable, tmp_path: Path
):
    r = reloadable()
    first = tmp_path / "first"
    assert r.served_certificate() == der_of(first)
    renewed = make_cert(tmp_path, "renewed")
    assert der_of(renewed) != der_of(first)
    with r.connect() as before:
        assert get(before) == 200
        install(renewed, r.live)
        r.reload(LOADED)
        # Each worker takes the new certificates when its loop next turns.
        wait_for(lambda: r.served_certificate() == der_of(renewed), 10,
                 "new connections get the renewed certificate")
        for _ in range(4):  # whichever worker accepts it
            assert r.served_certificate() == der_of(renewed)
        # The connection opened before goes on, on its own certificate.
        assert before.sock.getpeercert(binary_form=True) == der_of(first)
        assert get(before, close=True) == 200
    assert "needs a restart" not in r.server.stderr()


@pytest.mark.parametrize(
    "break_files",
    [
        lambda live, other: (live / "key.pem").write_text("not a key\n"),
        lambda live, other: shutil.copyfile(other / "key.pem", live / "key.pem"),
        lambda live, other: (live / "cert.pem").unlink(),
    ],
    ids=["unreadable key", "key of another certificate", "certificate removed"],
)
def test_a_reload_whose_certificate_does_not_load_keeps_the_running_one(reloadable, tmp_path,
                                                                       break_files):
    r = reloadable()
    first = tmp_path / "first"
    with r.connect() as before:
        assert get(before) == 200
        break_files(r.live, make_cert(tmp_path, "other"))
        r.reload(REFUSED)
        assert "sites[0].tls" in r.server.stderr()
        for _ in range(4):
            assert r.served_certificate() == der_of(first)
        assert get(before, close=True) == 200


@pytest.mark.parametrize(
    "version",
    [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3],
    ids=["TLS 1.2", "TLS 1.3"],
)
def test_a_session_resumes_after_start_and_across_a_reload(reloadable, version):
    r = reloadable('[server.tls]\nticket_rotation = "1m"\n')
    ctx = ssl.create_default_context(cafile=str(r.live / "cert.pem"))
    ctx.minimum_version = ctx.maximum_version = version
    with r.connect(ctx) as first:
        assert get(first) == 200  # TLS 1.3 sends its ticket after the handshake
        assert not first.sock.session_reused
        session = first.sock.session
    with r.connect(ctx, session) as second:
        assert second.sock.session_reused
        assert get(second) == 200
        session = second.sock.session
    r.reload(LOADED)
    with r.connect(ctx, session) as third:
        assert third.sock.session_reused
        assert get(third, close=True) == 200


def test_a_changed_ticket_rotation_waits_for_a_restart(reloadable):
    r = reloadable('[server.tls]\nticket_rotation = "1h"\n')
    r.config.write_text(r.config.read_text().replace('"1h"', '"2h"'))
    r.reload(LOADED)
    assert ("reload: server.tls.ticket_rotation changed; it needs a restart to take effect"
            in r.server.stderr())


@pytest.mark.parametrize(
    "value, accepted",
    [('"1m"', True), ('"12h"', True), ('"7d"', True), ("3600", True), ('"59s"', False),
     ('"8d"', False), ('"60500ms"', False)],
)
def test_teapot_check_takes_a_ticket_rotation_from_a_minute_to_a_week(tmp_path: Path, value,
                                                                      accepted):
    config = tmp_path / "teapot.toml"
    config.write_text(f"[server.tls]\nticket_rotation = {value}\n[[sites]]\ndefault = true\n")
    p = run_cli("check", str(config))
    assert p.returncode == (0 if accepted else 2), p.stderr
    if not accepted:
        assert "server.tls.ticket_rotation: " in p.stderr.decode()
