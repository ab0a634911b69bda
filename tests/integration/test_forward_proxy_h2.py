"""CONNECT over HTTP/2 (RFC 9113 §8.5) to a forward proxy ([sites.forward_proxy] on a server
with h2c): a CONNECT stream (:method and :authority only) gets 200 and its DATA frames carry
the tunnel's bytes both ways; END_STREAM is the FIN each way; the proxy's 407, 403 and 502 come
as over HTTP/1.1, and a destination that resets the connection resets the stream with
CONNECT_ERROR. Client: python3-h2 (h2wire.py) with prior knowledge.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
import struct
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, dev_certificates, free_port, require, sha512_crypt
from h2wire import H2Conn, H2Response
from socket_servers import echo, socket_server

USER, PASSWORD = "tunnel", "through h2"


def resetter(conn: socket.socket) -> None:
    """Reads a little, then resets the connection (SO_LINGER 0)."""
    conn.recv(16)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.fixture
def destinations():
    made = {name: socket_server(fn) for name, fn in (("echo", echo), ("reset", resetter))}
    yield {name: port for name, (port, _) in made.items()} | {"refused": free_port()}
    for _, lsock in made.values():
        lsock.close()


@pytest.fixture
def proxy(start_server, tmp_path: Path, destinations):
    require(TEAPOT_BIN, "teapot")
    (tmp_path / "proxy.users").write_text(f"{USER}:{sha512_crypt(PASSWORD)}\n")
    ports = ", ".join(str(destinations[k]) for k in ("echo", "reset", "refused"))
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\nh2c = true\n'
                      'drain_timeout = "1s"\n[[sites]]\ndefault = true\n[sites.forward_proxy]\n'
                      f'connect_ports = [{ports}]\nallow_local_destinations = true\n'
                      'users = "proxy.users"\ntunnel_idle_timeout = "2s"\n')
    return start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-forward-h2")


@pytest.fixture
def tls_proxy(start_server, tmp_path: Path, destinations):
    """The forward proxy on a TLS listener whose certificate names localhost only: a CONNECT's
    authority is its destination, which no certificate of the proxy's need cover."""
    require(TEAPOT_BIN, "teapot")
    certs = dev_certificates(tmp_path, ("localhost",))
    tls_port = free_port()
    config = tmp_path / "tls.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\n'
                      f'tls_listen = ["127.0.0.1:{tls_port}"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      '[[sites]]\ndefault = true\nhosts = ["localhost"]\n'
                      '[sites.tls]\ncertificate = "localhost/cert.pem"\nkey = "localhost/key.pem"\n'
                      f'[sites.forward_proxy]\nconnect_ports = [{destinations["echo"]}]\n'
                      'allow_local_destinations = true\n')
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-forward-tls")
    server.tls_port = tls_port
    server.cafile = certs["localhost"] / "cert.pem"
    return server


def credentials() -> str:
    return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def connect(c: H2Conn, authority: str, auth: bool = True) -> tuple[int, H2Response]:
    """A CONNECT stream (RFC 9113 §8.5: no :scheme, no :path); reads until its answer."""
    while not c.settings_seen:
        c.read_some()
    # python-h2 asks every request for :path; a CONNECT has none (§8.5).
    c.conn.config.validate_outbound_headers = False
    sid = c.conn.get_next_available_stream_id()
    head = [(":method", "CONNECT"), (":authority", authority)]
    if auth:
        head.append(("proxy-authorization", credentials()))
    c.responses[sid] = H2Response()
    c.conn.send_headers(sid, head, end_stream=False)
    c.flush()
    r = c.responses[sid]
    while r.status == 0 and r.reset is None:
        c.read_some()
    return sid, r


def test_a_connect_stream_carries_bytes_both_ways_byte_exact(proxy, destinations):
    c = H2Conn.plain(proxy.port)
    try:
        sid, r = connect(c, f"127.0.0.1:{destinations['echo']}")
        assert r.status == 200, r
        assert "content-length" not in dict(r.headers)
        payload = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB
        # send_data reads while it waits for the proxy's window: the echo's bytes come back
        # meanwhile, into the client's large window.
        c.send_data(sid, payload, end=True)
        while not r.ended and r.reset is None:
            c.read_some()
        assert r.reset is None
        assert len(r.body) == len(payload)
        assert r.body == payload  # END_STREAM once the echo closed after the client's FIN
    finally:
        c.close()


def test_two_tunnels_share_one_connection(proxy, destinations):
    c = H2Conn.plain(proxy.port)
    try:
        a, ra = connect(c, f"127.0.0.1:{destinations['echo']}")
        b, rb = connect(c, f"127.0.0.1:{destinations['echo']}")
        assert ra.status == rb.status == 200
        c.send_data(a, b"first", end=True)
        c.send_data(b, b"second", end=True)
        for r in (ra, rb):
            while not r.ended and r.reset is None:
                c.read_some()
        assert (ra.body, rb.body) == (b"first", b"second")
    finally:
        c.close()


def test_without_credentials_a_connect_stream_gets_407_with_its_challenge(proxy, destinations):
    c = H2Conn.plain(proxy.port)
    try:
        _, r = connect(c, f"127.0.0.1:{destinations['echo']}", auth=False)
        assert r.status == 407, r
        assert dict(r.headers)["proxy-authenticate"].startswith("Basic realm=")
    finally:
        c.close()


def test_a_port_not_listed_gets_403_and_a_refusing_destination_502(proxy, destinations):
    c = H2Conn.plain(proxy.port)
    try:
        _, r = connect(c, f"127.0.0.1:{free_port()}")
        assert r.status == 403, r
        _, r = connect(c, f"127.0.0.1:{destinations['refused']}")
        assert r.status == 502, r
    finally:
        c.close()


def test_a_destination_that_resets_resets_the_stream_with_connect_error(proxy, destinations):
    c = H2Conn.plain(proxy.port)
    try:
        sid, r = connect(c, f"127.0.0.1:{destinations['reset']}")
        assert r.status == 200, r
        c.send_data(sid, b"x" * 64, end=False)
        while r.reset is None and not r.ended:
            c.read_some()
        assert r.reset == 0xA  # CONNECT_ERROR (RFC 9113 §8.5)
        # The connection goes on: another tunnel opens on it.
        _, r2 = connect(c, f"127.0.0.1:{destinations['echo']}")
        assert r2.status == 200
    finally:
        c.close()


def test_a_tunnel_where_nothing_moves_is_reset_after_tunnel_idle_timeout(proxy, destinations):
    c = H2Conn.plain(proxy.port)
    try:
        sid, r = connect(c, f"127.0.0.1:{destinations['echo']}")
        assert r.status == 200, r
        c.send_data(sid, b"ping", end=False)
        while r.body != b"ping":
            c.read_some()
        while r.reset is None and not r.ended:  # then silence, for tunnel_idle_timeout
            c.read_some()
        assert r.reset == 0xA
        assert proxy.logged("forward proxy: an HTTP/2 tunnel idle too long is reset")
    finally:
        c.close()


def test_bytes_sent_before_the_200_are_the_tunnels_first(proxy, destinations):
    """A client that does not wait for the 200 (its DATA right behind the HEADERS, while the
    password is checked and the destination connected): its bytes reach the destination."""
    c = H2Conn.plain(proxy.port)
    try:
        while not c.settings_seen:
            c.read_some()
        c.conn.config.validate_outbound_headers = False
        sid = c.conn.get_next_available_stream_id()
        c.responses[sid] = H2Response()
        c.conn.send_headers(sid, [(":method", "CONNECT"),
                                  (":authority", f"127.0.0.1:{destinations['echo']}"),
                                  ("proxy-authorization", credentials())], end_stream=False)
        c.conn.send_data(sid, b"early bytes", end_stream=True)
        c.flush()
        r = c.response(sid)
        assert r.status == 200, r
        assert r.body == b"early bytes"
    finally:
        c.close()


def test_connect_over_h2_on_a_tls_listener_reaches_a_destination_its_certificate_does_not_name(
        tls_proxy, destinations):
    c = H2Conn.tls(tls_proxy.tls_port, str(tls_proxy.cafile), "localhost")
    try:
        sid, r = connect(c, f"127.0.0.1:{destinations['echo']}", auth=False)
        assert r.status == 200, r
        c.send_data(sid, b"over h2 and TLS", end=True)
        assert c.response(sid).body == b"over h2 and TLS"
    finally:
        c.close()


def test_connect_over_http_1_1_on_a_tls_listener_is_tunnelled_too(tls_proxy, destinations):
    ctx = ssl.create_default_context(cafile=str(tls_proxy.cafile))
    with socket.create_connection(("127.0.0.1", tls_proxy.tls_port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname="localhost") as s:
        target = f"127.0.0.1:{destinations['echo']}"
        s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)
        assert head.startswith(b"HTTP/1.1 200 "), head
        s.sendall(b"over TLS")
        got = head.partition(b"\r\n\r\n")[2]
        while len(got) < 8:
            got += s.recv(4096)
        assert got == b"over TLS"
