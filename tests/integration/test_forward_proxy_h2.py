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
import struct
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, free_port, require, sha512_crypt
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
