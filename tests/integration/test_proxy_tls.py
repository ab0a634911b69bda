"""Upstreams over TLS ("https://host:port" in a proxy route's upstreams): the upstream's
certificate checked against the route's trusted CAs (tls_ca) and the name or address the
upstream is written with; a handshake that fails is a 502 with the reason in the error log;
tls_verify = false takes any certificate; kept-alive connections carry several requests; the
health checks speak TLS too. The upstreams are python's http.server behind ssl, with
certificates made by `teapot cert`.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, require, run_cli
from socket_servers import ThreadedServer
from wire import Conn, request


class Secure(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    peers: list[tuple[str, int]] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        Secure.peers.append(self.client_address)
        body = b"over TLS: " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def certificate(tmp_path: Path, host: str) -> Path:
    folder = tmp_path / f"cert-{host}"
    p = run_cli("cert", str(folder), "--host", host)
    assert p.returncode == 0, p.stderr
    return folder


@pytest.fixture
def upstreams(tmp_path: Path):
    """Two TLS upstreams on 127.0.0.1: one whose certificate names 127.0.0.1, one whose names
    only localhost. Yields (port, certificate folder) for each."""
    Secure.peers = []
    made = []
    for host in ("127.0.0.1", "localhost"):
        folder = certificate(tmp_path, host)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")
        srv = ThreadedServer(("127.0.0.1", 0), Secure)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        made.append((srv, folder))
    yield [(srv.server_port, folder) for srv, folder in made]
    for srv, _ in made:
        srv.shutdown()


def start_proxy(start_server, tmp_path: Path, routes: str):
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "www")
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      f'[[sites]]\ndefault = true\nroot = "{root}"\n' + routes)
    return start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-tls-proxy")


def get(port: int, target: str):
    with Conn(port) as c:
        c.send(request("GET", target))
        return c.read_final_response()[1]


def test_a_request_reaches_an_https_upstream_whose_certificate_is_trusted(
        start_server, tmp_path, upstreams):
    (port, folder), _ = upstreams
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://127.0.0.1:{port}"]\n'
                         f'tls_ca = "{folder / "cert.pem"}"\n')
    r = get(server.port, "/s/hello")
    assert r.status == 200, r
    assert r.body == b"over TLS: /s/hello"


def test_a_kept_connection_carries_the_next_request_over_the_same_tls_session(
        start_server, tmp_path, upstreams):
    (port, folder), _ = upstreams
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://127.0.0.1:{port}"]\n'
                         f'tls_ca = "{folder / "cert.pem"}"\n')
    # One client connection: one worker, whose pool keeps the upstream connection.
    with Conn(server.port) as c:
        for n in range(3):
            c.send(request("GET", f"/s/{n}"))
            r = c.read_final_response()[1]
            assert r.status == 200, r
            assert r.body == f"over TLS: /s/{n}".encode()
    assert len(Secure.peers) == 3
    assert len(set(Secure.peers)) == 1, Secure.peers


def test_a_certificate_for_another_name_is_refused_with_502(start_server, tmp_path, upstreams):
    _, (port, folder) = upstreams  # its certificate names localhost, not 127.0.0.1
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://127.0.0.1:{port}"]\n'
                         f'tls_ca = "{folder / "cert.pem"}"\n')
    r = get(server.port, "/s/hello")
    assert r.status == 502, r
    assert server.logged("TLS: certificate verify failed: ")
    assert Secure.peers == []


def test_an_untrusted_certificate_is_refused_with_502(start_server, tmp_path, upstreams):
    (port, _), _ = upstreams
    # No tls_ca: the system's CAs, which never signed a certificate made by `teapot cert`.
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://127.0.0.1:{port}"]\n')
    r = get(server.port, "/s/hello")
    assert r.status == 502, r
    assert server.logged("TLS: certificate verify failed: self-signed certificate")


def test_without_verification_any_certificate_is_taken(start_server, tmp_path, upstreams):
    _, (port, _) = upstreams
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://127.0.0.1:{port}"]\n'
                         "tls_verify = false\n")
    r = get(server.port, "/s/anyway")
    assert r.status == 200, r
    assert r.body == b"over TLS: /s/anyway"


def test_the_name_an_upstream_is_written_with_is_the_name_checked(
        start_server, tmp_path, upstreams):
    _, (port, folder) = upstreams
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://localhost:{port}"]\n'
                         f'tls_ca = "{folder / "cert.pem"}"\n')
    r = get(server.port, "/s/by-name")
    assert r.status == 200, r
    assert r.body == b"over TLS: /s/by-name"


def test_a_plain_http_client_on_a_tls_upstream_is_a_502_not_a_hang(
        start_server, tmp_path, upstreams):
    (port, _), _ = upstreams
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["127.0.0.1:{port}"]\n'
                         'response_timeout = "2s"\n')
    r = get(server.port, "/s/plain")
    assert r.status == 502, r


def test_health_checks_speak_tls(start_server, tmp_path, upstreams):
    _, (port, _) = upstreams
    server = start_proxy(start_server, tmp_path,
                         f'[[sites.proxy]]\nprefix = "/s/"\nupstreams = ["https://127.0.0.1:{port}"]\n'
                         '[sites.proxy.health_check]\npath = "/health"\ninterval = "100ms"\n')
    # The certificate names localhost only: each check's handshake fails, and says why.
    assert server.logged(f"proxy: https://127.0.0.1:{port} fails its health check (TLS: "
                         "certificate verify failed: ")
