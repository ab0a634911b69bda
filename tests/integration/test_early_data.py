"""TLS 1.3 early data (0-RTT, RFC 8446 §2.3) and 425 Too Early (RFC 8470): off unless a site
turns it on ([sites.tls] early_data = true); then a request received in early data runs only
where a replay does no harm (GET, HEAD, OPTIONS without content, unless the route says
otherwise) and anything else gets 425, which the client sends again after the handshake.

The client is `openssl s_client`: one connection saves its session (-sess_out), the next one
resumes it and sends a request file as early data (-sess_in -early_data), and its output says
whether the server accepted the early data. Over HTTP/2 (ALPN h2 on both connections, as RFC
8446 §4.2.10 requires for early data), the request file is the frames python3-h2 makes, and the
frames s_client prints (-quiet: nothing else) are read back by the same codec.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import pytest
from hyperframe.frame import GoAwayFrame

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


def h2_client() -> h2.connection.H2Connection:
    c = h2.connection.H2Connection(
        config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    c.initiate_connection()
    return c


def h2_head(method: str, path: str, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(":method", method), (":path", path), (":scheme", "https"),
            (":authority", "localhost"), *extra]


def test_over_http2_a_put_in_early_data_gets_425_and_a_get_beside_it_is_served(srv, tmp_path):
    session = tmp_path / "h2.sess"
    first = h2_client()
    first.send_headers(1, h2_head("GET", "/hello.txt"), end_stream=True)
    first.close_connection()  # the server ends the connection once stream 1 is answered
    out = srv.s_client("localhost", tmp_path, "-alpn", "h2", "-sess_out", str(session),
                       stdin=first.data_to_send())
    assert "ALPN protocol: h2" in out, out
    assert session.is_file(), out

    c = h2_client()
    c.send_headers(1, h2_head("PUT", "/dav/replayed.txt", ("content-length", "3")))
    c.send_data(1, b"abc", end_stream=True)
    c.send_headers(3, h2_head("GET", "/hello.txt"), end_stream=True)
    (tmp_path / "early.bin").write_bytes(c.data_to_send() + GoAwayFrame(0).serialize())
    p = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{srv.tls_port}", "-servername",
         "localhost", "-CAfile", str(srv.certs["localhost"] / "cert.pem"), "-tls1_3", "-quiet",
         "-alpn", "h2", "-sess_in", str(session), "-early_data", "early.bin"],
        capture_output=True, timeout=30, cwd=tmp_path)
    status, body, ended = {}, {1: b"", 3: b""}, set()
    for ev in c.receive_data(p.stdout):
        if isinstance(ev, h2.events.ResponseReceived):
            status[ev.stream_id] = dict(ev.headers)[":status"]
        elif isinstance(ev, h2.events.DataReceived):
            body[ev.stream_id] += ev.data
        elif isinstance(ev, h2.events.StreamEnded):
            ended.add(ev.stream_id)
    assert status == {1: "425", 3: "200"}, p.stdout
    assert ended == {1, 3}, p.stdout
    assert b"425 Too Early" in body[1]
    assert body[3] == SITE["hello.txt"]
    assert not (srv.root / "dav" / "replayed.txt").exists()
