"""HTTP/1.1 over TLS: `teapot serve --config` with [server] tls_listen beside a plain listen,
each site with its certificate from `teapot cert` ([sites.tls]).

What a client of the TLS port sees: the bytes of a file (small, and 5 MiB, read with pread into
the session), HEAD, 404, keep-alive and pipelining over one TLS connection, TLS 1.2 and 1.3,
the certificate chosen by SNI, 421 for a Host the chosen certificate does not cover
(RFC 9110 §15.5.20), and no HTTP answer at all to plain HTTP sent to the TLS port.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, dev_certificates, free_port, pattern, require, rss_kib, run_cli

BIG = 5 * 1024 * 1024


class TlsServer:
    def __init__(self, server, tls_port: int, certs: dict[str, Path], root: Path):
        self.server = server
        self.tls_port = tls_port
        self.certs = certs
        self.root = root

    def context(self, cert: str = "localhost", **versions) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.certs[cert] / "cert.pem"))
        for key, value in versions.items():
            setattr(ctx, key, value)
        return ctx

    def connect(self, host: str = "localhost", source: str = "127.0.0.1", **versions) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.tls_port), timeout=10,
                                       source_address=(source, 0))
        return self.context(host, **versions).wrap_socket(raw, server_hostname=host)

    def curl(self, *args: str, path: str = "/hello.txt") -> subprocess.CompletedProcess:
        return subprocess.run(
            ["curl", "-sS", "--cacert", str(self.certs["localhost"] / "cert.pem"),
             "--resolve", f"localhost:{self.tls_port}:127.0.0.1", *args,
             f"https://localhost:{self.tls_port}{path}"],
            capture_output=True, timeout=30,
        )


@pytest.fixture
def tls_server(start_server, tmp_path: Path) -> TlsServer:
    return start_tls(start_server, tmp_path)


def start_tls(start_server, tmp_path: Path, server_keys: str = "") -> TlsServer:
    """teapot serve --config with two sites, localhost and other.test, each with its
    certificate, on a TLS port beside the plain one; server_keys are more keys of [server]."""
    require(TEAPOT_BIN, "teapot")
    root = tmp_path / "www"
    root.mkdir()
    (root / "hello.txt").write_bytes(b"Hello over TLS\n")
    (root / "big.bin").write_bytes(pattern(BIG))
    certs = dev_certificates(tmp_path)
    tls_port = free_port()
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
        'workers = 2\ndrain_timeout = "1s"\n' + server_keys + '[server.limits]\nheader_timeout = "2s"\n'
        + "".join(
            f'[[sites]]\nhosts = ["{host}"]\nroot = "{root}"\n'
            f'[sites.tls]\ncertificate = "{host}/cert.pem"\nkey = "{host}/key.pem"\n'
            for host in certs
        )
    )
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-tls")
    return TlsServer(server, tls_port, certs, root)


def read_all(s: socket.socket) -> bytes:
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    return out


@pytest.mark.parametrize(
    "path, args, status, body",
    [
        ("/hello.txt", [], 200, b"Hello over TLS\n"),
        ("/big.bin", [], 200, pattern(BIG)),
        ("/hello.txt", ["-I"], 200, None),
        ("/missing.txt", [], 404, None),
    ],
    ids=["small file", "5 MiB file", "HEAD", "404"],
)
def test_curl_over_tls_gets_the_status_and_the_exact_bytes(tls_server, path, args, status, body):
    p = tls_server.curl("-o", "-", "-w", "\n%{http_code}", *args, path=path)
    assert p.returncode == 0, p.stderr
    content, _, code = p.stdout.rpartition(b"\n")
    assert int(code) == status
    if body is not None:
        assert content == body
    if "-I" in args:
        assert b"content-length: 15" in content.lower()


@pytest.mark.parametrize(
    "versions, expected",
    [
        ({"maximum_version": ssl.TLSVersion.TLSv1_2}, "TLSv1.2"),
        ({"minimum_version": ssl.TLSVersion.TLSv1_3}, "TLSv1.3"),
    ],
    ids=["TLS 1.2", "TLS 1.3"],
)
def test_keep_alive_and_pipelining_on_one_tls_connection(tls_server, versions, expected):
    with tls_server.connect(**versions) as s:
        assert s.version() == expected
        assert s.selected_alpn_protocol() is None  # the client offered none
        # Two requests one after the other, then two pipelined, the last closing.
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        first = b""
        while b"Hello over TLS\n" not in first:
            first += s.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        s.sendall(
            b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
            b"GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        rest = read_all(s)
    assert rest.startswith(b"HTTP/1.1 200 ")
    assert rest.count(b"HTTP/1.1 ") == 2
    assert b"HTTP/1.1 404 " in rest


def test_alpn_offers_http_1_1(tls_server):
    # A client that offers http/1.1 alone gets it (h2 first when offered: test_h2.py).
    ctx = tls_server.context()
    ctx.set_alpn_protocols(["http/1.1"])
    raw = socket.create_connection(("127.0.0.1", tls_server.tls_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        assert s.selected_alpn_protocol() == "http/1.1"


@pytest.mark.parametrize("host", ["localhost", "other.test"])
def test_sni_chooses_the_sites_certificate(tls_server, host):
    p = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{tls_server.tls_port}",
         "-servername", host, "-CAfile", str(tls_server.certs[host] / "cert.pem")],
        capture_output=True, timeout=20, stdin=subprocess.DEVNULL,
    )
    out = p.stdout.decode(errors="replace")
    assert f"subject=CN = {host}" in out
    assert "Verify return code: 0 (ok)" in out
    # The same through Python, which checks the name against the certificate.
    with tls_server.connect(host) as s:
        s.sendall(f"GET /hello.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert read_all(s).startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(
    "host, status",
    [("localhost", 200), (f"localhost:PORT", 200), ("other.test", 421), ("nowhere.test", 421)],
)
def test_a_host_the_certificate_does_not_cover_gets_421(tls_server, host, status):
    host = host.replace("PORT", str(tls_server.tls_port))
    with tls_server.connect("localhost") as s:
        s.sendall(f"GET /hello.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert read_all(s).startswith(f"HTTP/1.1 {status} ".encode())


def test_plain_http_to_the_tls_port_gets_no_http_answer(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.tls_port), timeout=10) as s:
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except ConnectionResetError:
            pass
    assert b"HTTP/" not in got  # at most a TLS alert, then the connection closed


def test_a_handshake_never_finished_is_closed_at_header_timeout(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.tls_port), timeout=10) as s:
        began = time.monotonic()
        assert s.recv(100) == b""  # closed silently, nothing sent
        assert 1.5 < time.monotonic() - began < 8


def test_the_plain_listener_still_answers(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.server.port), timeout=10) as s:
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert read_all(s).endswith(b"Hello over TLS\n")


def test_a_client_that_stops_reading_does_not_grow_the_server(tls_server):
    (tls_server.root / "huge.bin").write_bytes(pattern(64 * 1024 * 1024))
    before = rss_kib(tls_server.server.proc.pid)
    with tls_server.connect() as s:
        s.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        s.recv(1024)
        time.sleep(1.0)
        grown = rss_kib(tls_server.server.proc.pid) - before
    assert grown < 16 * 1024, f"server grew by {grown} KiB for a client that stopped reading"


def test_teapot_check_refuses_what_cannot_serve_tls(tmp_path):
    for host in ("a.test", "b.test"):
        assert run_cli("cert", str(tmp_path / host), "--host", host).returncode == 0
    cases = [
        # A key that is not the certificate's, quoting OpenSSL.
        ('tls_listen = ["127.0.0.1:8443"]',
         '[sites.tls]\ncertificate = "a.test/cert.pem"\nkey = "b.test/key.pem"\n',
         "sites[0].tls: private key"),
        ('tls_listen = ["127.0.0.1:8443"]', "", "server.tls_listen: no site has a certificate"),
        ('listen = ["127.0.0.1:8080"]\ntls_listen = ["127.0.0.1:8080"]',
         '[sites.tls]\ncertificate = "a.test/cert.pem"\nkey = "a.test/key.pem"\n',
         "is in listen too"),
        ('tls_listen = ["127.0.0.1:8443"]', '[sites.tls]\ncertificate = "none.pem"\n',
         "sites[0].tls.certificate: "),
    ]
    for server, site_tls, message in cases:
        config = tmp_path / "teapot.toml"
        config.write_text(f'[server]\n{server}\n[[sites]]\nhosts = ["a.test"]\n{site_tls}')
        p = run_cli("check", str(config))
        assert p.returncode == 2, (server, site_tls)
        assert message in p.stderr.decode(), p.stderr
    config.write_text(
        '[server]\ntls_listen = ["127.0.0.1:8443"]\n[[sites]]\nhosts = ["a.test"]\n'
        '[sites.tls]\ncertificate = "a.test/cert.pem"\nkey = "a.test/key.pem"\n'
    )
    assert run_cli("check", str(config)).returncode == 0


def test_a_tls_connection_past_the_cap_is_closed_without_a_clear_text_answer(start_server, tmp_path):
    server = start_tls(start_server, tmp_path, "max_connections_per_address = 1\n")
    # From 127.0.0.2: the fixture's readiness probe comes from 127.0.0.1 and may still be
    # counted when the test starts.
    with server.connect(source="127.0.0.2") as first:
        first.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert first.recv(65536).startswith(b"HTTP/1.1 200 ")
        with socket.create_connection(("127.0.0.1", server.tls_port), timeout=10,
                                      source_address=("127.0.0.2", 0)) as second:
            assert second.recv(100) == b""  # no 503 in the clear for a TLS client
        first.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert read_all(first).startswith(b"HTTP/1.1 200 ")


def test_handshakes_are_counted_by_how_they_ended(start_server, tmp_path):
    srv = start_tls(start_server, tmp_path, "[server.metrics]\nenabled = true\n")
    get = b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    ctx = srv.context()
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10),
                         server_hostname="localhost") as s:
        s.sendall(get)
        assert read_all(s).endswith(b"Hello over TLS\n")  # the tickets came before the close
        ticket = s.session
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10),
                         server_hostname="localhost", session=ticket) as s:
        s.sendall(get)
        assert read_all(s).endswith(b"Hello over TLS\n")
        assert s.session_reused
    with socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")  # not a ClientHello: an alert, and the close
        try:
            while s.recv(65536):
                pass
        except ConnectionResetError:
            pass
    with socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10):
        pass  # closed before any handshake
    expected = {"full": 1, "resumed": 1, "failed": 1, "incomplete": 1}
    deadline = time.monotonic() + 10
    while True:
        p = subprocess.run(["curl", "-sS", f"http://127.0.0.1:{srv.server.port}/metrics"],
                           capture_output=True, timeout=10)
        text = p.stdout.decode()
        seen = {k: f'teapot_tls_handshakes_total{{result="{k}"}} {v}\n' in text
                for k, v in expected.items()}
        if all(seen.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert all(seen.values()), text
    assert 'teapot_tls_early_data_total{result="accepted"} 0\n' in text
