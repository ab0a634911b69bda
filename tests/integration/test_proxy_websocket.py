"""WebSocket through the reverse proxy (RFC 6455 §4.1, RFC 9110 §7.8): a client's upgrade goes
on to the upstream, whose 101 comes back with its own Sec-WebSocket-Accept, subprotocol and
extensions, and from then on both connections are one byte tunnel. The upstream here is
another teapot with WebSocket routes, reached by python's websockets client through the proxy;
and a socket server that sends its first frame in the same write as its 101.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
from pathlib import Path

import pytest
import websockets

from conftest import TEAPOT_BIN, build_docroot, require
from socket_servers import read_head, socket_server
from wire import Conn, request

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_of(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def greeting_upstream(conn: socket.socket) -> None:
    """Grants any upgrade and sends a text frame "hello" in the same write as its 101."""
    with conn:
        data = read_head(conn)
        key = ""
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"sec-websocket-key:"):
                key = line.split(b":", 1)[1].strip().decode()
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                     + accept_of(key).encode() + b"\r\n\r\n" + b"\x81\x05hello")
        conn.recv(4096)  # until the client closes


@pytest.fixture
def proxy(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    up_root = build_docroot(tmp_path / "up")
    up_config = tmp_path / "upstream.toml"
    up_config.write_text(
        '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
        f'[[sites]]\ndefault = true\nroot = "{up_root}"\n'
        '[[sites.websocket]]\npath = "/ws/echo"\n'
        '[[sites.websocket]]\npath = "/ws/chat"\nsubprotocols = ["chat.v2", "chat.v1"]\n')
    upstream = start_server([TEAPOT_BIN, "serve", "--config", up_config], "ws-upstream")
    greeter, lsock = socket_server(greeting_upstream)
    root = build_docroot(tmp_path / "www")
    log = tmp_path / "access.log"
    config = tmp_path / "proxy.toml"
    config.write_text(
        '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
        f'[access_log]\nformat = "combined"\npath = "{log}"\n'
        f'[[sites]]\ndefault = true\nroot = "{root}"\n'
        f'[[sites.proxy]]\nprefix = "/ws/"\nupstreams = ["127.0.0.1:{upstream.port}"]\n'
        f'[[sites.proxy]]\nprefix = "/greet/"\nupstreams = ["127.0.0.1:{greeter}"]\n')
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "ws-proxy")
    server.log = log
    yield server
    lsock.close()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_messages_go_both_ways_through_the_proxy(proxy):
    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{proxy.port}/ws/echo") as ws:
            # The upstream's extension answer, passed on: the two ends agreed on it.
            assert "permessage-deflate" in ws.response_headers.get("Sec-WebSocket-Extensions", "")
            await ws.send("héllo, wörld")
            assert await ws.recv() == "héllo, wörld"
            await ws.send(b"\x00\x01\xfe\xff")
            assert await ws.recv() == b"\x00\x01\xfe\xff"
            big = bytes(range(256)) * 4096  # 1 MiB
            await ws.send(big)
            assert await ws.recv() == big
            await ws.ping(b"through")
        assert ws.close_code == 1000
    run(go())
    proxy.wait(10)
    assert '"GET /ws/echo HTTP/1.1" 101 0' in proxy.log.read_text()


def test_the_upstreams_subprotocol_choice_reaches_the_client(proxy):
    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{proxy.port}/ws/chat",
                                      subprotocols=["chat.v1", "chat.v2"]) as ws:
            assert ws.subprotocol == "chat.v2"
    run(go())


def test_bytes_the_upstream_sends_with_its_101_reach_the_client(proxy):
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(f"GET /greet/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        data = b""
        while b"hello" not in data:
            chunk = s.recv(4096)
            assert chunk, data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        assert lines[0] == "HTTP/1.1 101 Switching Protocols"
        fields = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        assert fields["upgrade"] == "websocket"
        assert fields["connection"] == "Upgrade"
        assert fields["sec-websocket-accept"] == accept_of(key)
        assert rest == b"\x81\x05hello"


def test_an_upgrade_the_upstream_does_not_grant_is_an_ordinary_response(proxy):
    with Conn(proxy.port) as c:
        c.send(request("GET", "/ws/nothing-here", headers=[
            ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]))
        r = c.read_final_response()[1]
        assert r.status == 404, r
        # The connection is still HTTP/1.1: a next request on it is answered.
        c.send(request("GET", "/index.html"))
        assert c.read_final_response()[1].status == 200


def test_a_plain_get_through_the_same_route_is_relayed_as_ever(proxy):
    with Conn(proxy.port) as c:
        c.send(request("GET", "/ws/echo"))
        r = c.read_final_response()[1]
        assert r.status == 426, r  # the upstream's answer to a GET without the upgrade
        assert r.header("upgrade") == "websocket"
        assert r.header("connection") == "upgrade"
