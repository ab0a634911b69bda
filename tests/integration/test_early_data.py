"""TLS 1.3 early data (0-RTT, RFC 8446 §2.3) and 425 Too Early (RFC 8470): off unless a site
turns it on ([sites.tls] early_data = true); then a request received in early data runs only
where a replay does no harm (GET, HEAD, OPTIONS without content, unless the route says
otherwise) and anything else gets 425, which the client sends again after the handshake.

The client is `openssl s_client`: one connection saves its session (-sess_out), the next one
resumes it and sends a request file as early data (-sess_in -early_data), and its output says
whether the server accepted the early data.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import SITE, TEAPOT_BIN, build_docroot, dev_certificates, free_port, require


class EarlyServer:
    def __init__(self, server, tls_port: int, certs: dict[str, Path], root: Path):
        self.server, self.tls_port, self.certs, self.root = server, tls_port, certs, root

    def s_client(self, host: str, tmp: Path, *args: str, stdin: bytes = b"") -> str:
        p = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{self.tls_port}", "-servername", host,
             "-CAfile", str(self.certs[host] / "cert.pem"), "-tls1_3", "-ign_eof", *args],
            input=stdin, capture_output=True, timeout=30, cwd=tmp)
        return p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")

    def early(self, host: str, tmp: Path, request: bytes) -> str:
        """A session saved by one connection, then the request as early data on the next."""
        session = tmp / f"{host}.sess"
        first = self.s_client(host, tmp, "-sess_out", str(session),
                              stdin=f"GET /hello.txt HTTP/1.1\r\nHost: {host}\r\n"
                                    "Connection: close\r\n\r\n".encode())
        assert "HTTP/1.1 200 OK" in first, first
        assert session.is_file(), first
        early = tmp / "early.txt"
        early.write_bytes(request)
        return self.s_client(host, tmp, "-sess_in", str(session), "-early_data", str(early))


@pytest.fixture
def srv(start_server, tmp_path: Path) -> EarlyServer:
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "www")
    (root / "dav").mkdir()
    certs = dev_certificates(tmp_path)
    tls_port = free_port()
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
        'workers = 1\ndrain_timeout = "1s"\n'
        + "".join(
            f'[[sites]]\nhosts = ["{host}"]\nroot = "{root}"\n'
            f'[sites.tls]\ncertificate = "{host}/cert.pem"\nkey = "{host}/key.pem"\n'
            + ("early_data = true\n" if host == "localhost" else "")
            + f'[[sites.webdav]]\nprefix = "/dav/"\nroot = "{root / "dav"}"\n'
            for host in certs))
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-early")
    return EarlyServer(server, tls_port, certs, root)


def test_a_get_in_early_data_is_served(srv, tmp_path):
    out = srv.early("localhost", tmp_path,
                    b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert "Early data was accepted" in out, out
    assert "HTTP/1.1 200 OK" in out, out
    assert SITE["hello.txt"].decode() in out


def test_a_put_in_early_data_gets_425_and_nothing_is_written(srv, tmp_path):
    out = srv.early("localhost", tmp_path,
                    b"PUT /dav/replayed.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n"
                    b"Connection: close\r\n\r\nabc")
    assert "Early data was accepted" in out, out
    assert "HTTP/1.1 425 Too Early" in out, out
    assert not (srv.root / "dav" / "replayed.txt").exists()


def test_a_get_with_content_in_early_data_gets_425(srv, tmp_path):
    out = srv.early("localhost", tmp_path,
                    b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                    b"Connection: close\r\n\r\nhi")
    assert "HTTP/1.1 425 Too Early" in out, out


def test_a_site_without_early_data_never_invites_it(srv, tmp_path):
    # Its tickets say max_early_data 0 (RFC 8446 §4.6.1), so the client keeps its request.
    out = srv.early("other.test", tmp_path,
                    b"PUT /dav/late.txt HTTP/1.1\r\nHost: other.test\r\nContent-Length: 3\r\n"
                    b"Connection: close\r\n\r\nabc")
    assert "Max Early Data: 0" in out, out
    assert "Early data was not sent" in out, out
    assert "HTTP/1.1 425" not in out, out  # (a bare "425" may be in a ticket's hex)
    assert not (srv.root / "dav" / "late.txt").exists()
    # localhost's tickets invite it.
    assert "Max Early Data: 16384" in srv.early(
        "localhost", tmp_path, b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")


def test_the_same_request_after_the_handshake_is_served(srv, tmp_path):
    out = srv.s_client("localhost", tmp_path, stdin=(
        b"PUT /dav/after.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n"
        b"Connection: close\r\n\r\nabc"))
    assert "HTTP/1.1 201 Created" in out, out
    assert (srv.root / "dav" / "after.txt").read_bytes() == b"abc"
