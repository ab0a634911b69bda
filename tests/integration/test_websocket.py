"""WebSocket (RFC 6455) routes of a configuration file ([[sites.websocket]], action "echo"):
the opening handshake's answers (101, 426, 400, 405), frames checked as they come (1002, 1007,
1009), fragments and control frames between them, the closing handshake, permessage-deflate
(RFC 7692) and subprotocols.

Clients: Debian's python3-websockets (asyncio), and raw frames written here for what a correct
client never sends. The server is `teapot serve --config`, stopped by its PID; the library's
own routes are examples/chat (two workers: messages cross threads).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import struct
from pathlib import Path

import pytest
import websockets

from conftest import EXAMPLES_DIR, TEAPOT_BIN, build_docroot, require
from ws_frames import frame

CHAT_MAX = 64 * 1024


@pytest.fixture
def srv(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "www")
    log = tmp_path / "access.log"
    config = tmp_path / "teapot.toml"
    config.write_text(
        '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "2s"\n'
        f'[access_log]\nformat = "combined"\npath = "{log}"\n'
        f'[[sites]]\nhosts = ["localhost"]\ndefault = true\nroot = "{root}"\n'
        '[[sites.websocket]]\npath = "/echo"\n'
        '[[sites.websocket]]\npath = "/chat"\nsubprotocols = ["chat.v2", "chat.v1"]\n'
        f'max_message = "{CHAT_MAX}"\npermessage_deflate = false\n')
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-ws")
    server.log = log
    return server


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


# -- raw frames -------------------------------------------------------------------------------

def handshake_request(path: str = "/echo", key: str = "dGhlIHNhbXBsZSBub25jZQ==",
                      extra: str = "", version: str = "13") -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: {version}\r\n{extra}\r\n").encode()


class RawWs:
    """A socket past its 101: frames out as given, frames in as (opcode, payload)."""

    def __init__(self, port: int, path: str = "/echo"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(handshake_request(path))
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, self.buf
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101 "), head

    def _need(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_frame(self) -> tuple[int, bytes]:
        b0, b1 = self._need(2)
        assert b1 & 0x80 == 0, "a server frame must not be masked"
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._need(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._need(8))[0]
        return b0 & 0x0F, self._need(n)

    def read_close(self) -> tuple[int, bytes]:
        """The server's Close frame (skipping data before it), then its TCP close."""
        while True:
            op, payload = self.read_frame()
            if op == 0x8:
                break
        code = struct.unpack("!H", payload[:2])[0] if payload else 1005
        assert self.sock.recv(100) == b"", "the server closes the TCP connection after its Close"
        return code, payload[2:]

    def close(self) -> None:
        self.sock.close()


def first_response(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    return got.split(b"\r\n\r\n", 1)[0]


# -- the opening handshake ----------------------------------------------------------------------

def test_the_handshake_gets_101_with_the_accept_key_of_rfc_6455(srv):
    head = first_response(srv.port, handshake_request()).decode()
    lines = head.split("\r\n")
    assert lines[0] == "HTTP/1.1 101 Switching Protocols", head
    fields = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    assert fields["upgrade"].lower() == "websocket"
    assert fields["connection"].lower() == "upgrade"
    # RFC 6455 §1.3's own example.
    assert fields["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert "sec-websocket-protocol" not in fields
    assert "content-length" not in fields and "transfer-encoding" not in fields


def test_a_plain_get_of_a_websocket_route_gets_426_with_upgrade_websocket(srv):
    head = first_response(srv.port, b"GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n").decode()
    assert head.startswith("HTTP/1.1 426 Upgrade Required\r\n"), head
    assert "\r\nUpgrade: websocket" in head, head
    # RFC 9110 §7.8: Upgrade is named in Connection, so that intermediaries do not forward it.
    assert "Connection: upgrade" in head.split("\r\n"), head


def test_another_version_gets_426_with_the_version_the_server_speaks(srv):
    head = first_response(srv.port, handshake_request(version="8")).decode()
    assert head.startswith("HTTP/1.1 426 Upgrade Required\r\n"), head
    assert "\r\nSec-WebSocket-Version: 13" in head, head


@pytest.mark.parametrize("request_bytes", [
    handshake_request(key="c2hvcnQ="),  # not 16 bytes
    b"GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n",  # no key
    b"GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
], ids=["short key", "no key", "no connection upgrade"])
def test_a_malformed_handshake_gets_400(srv, request_bytes):
    head = first_response(srv.port, request_bytes).decode()
    assert head.startswith("HTTP/1.1 400 Bad Request\r\n"), head


def test_another_method_gets_405_with_allow(srv):
    head = first_response(srv.port, b"POST /echo HTTP/1.1\r\nHost: localhost\r\n"
                                    b"Content-Length: 0\r\n\r\n").decode()
    assert head.startswith("HTTP/1.1 405 Method Not Allowed\r\n"), head
    assert "\r\nAllow: GET, HEAD" in head, head


def test_the_access_log_has_the_101(srv):
    ws = RawWs(srv.port)
    ws.sock.sendall(frame(0x8, struct.pack("!H", 1000)))
    assert ws.read_close()[0] == 1000
    ws.close()
    srv.signal(signal.SIGTERM)
    srv.wait(10)
    assert '"GET /echo HTTP/1.1" 101 0' in srv.log.read_text()


# -- messages through a real client --------------------------------------------------------------

def test_python_websockets_gets_its_messages_back_with_permessage_deflate(srv):
    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{srv.port}/echo") as ws:
            assert "permessage-deflate" in ws.response_headers.get("Sec-WebSocket-Extensions", "")
            await ws.send("héllo, wörld")
            assert await ws.recv() == "héllo, wörld"
            await ws.send(b"\x00\x01\xfe\xff")
            assert await ws.recv() == b"\x00\x01\xfe\xff"
            big = "teapot " * 20000
            await ws.send(big)
            assert await ws.recv() == big
            await ws.ping(b"are you there")  # answered with a pong (awaited by close)
        assert ws.close_code == 1000
    run(go())


def test_without_deflate_the_messages_come_back_alike(srv):
    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{srv.port}/echo",
                                      compression=None) as ws:
            assert "Sec-WebSocket-Extensions" not in ws.response_headers
            payload = bytes(range(256)) * 300
            await ws.send(payload)
            assert await ws.recv() == payload
    run(go())


def test_the_server_chooses_its_preferred_subprotocol_among_the_clients(srv):
    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{srv.port}/chat",
                                      subprotocols=["chat.v1", "chat.v2"]) as ws:
            assert ws.subprotocol == "chat.v2"
            assert "Sec-WebSocket-Extensions" not in ws.response_headers  # deflate off here
        async with websockets.connect(f"ws://127.0.0.1:{srv.port}/chat",
                                      subprotocols=["other"]) as ws:
            assert ws.subprotocol is None
    run(go())


# -- frames a correct client never sends --------------------------------------------------------

def test_an_unmasked_frame_is_closed_with_1002(srv):
    ws = RawWs(srv.port)
    ws.sock.sendall(frame(0x1, b"hi", mask=False))
    assert ws.read_close()[0] == 1002
    ws.close()


def test_text_that_is_not_utf8_is_closed_with_1007_even_split_across_fragments(srv):
    ws = RawWs(srv.port)
    euro = "€".encode()  # three bytes, split across two fragments: still valid
    ws.sock.sendall(frame(0x1, b"a" + euro[:2], fin=False) + frame(0x0, euro[2:]))
    assert ws.read_frame() == (0x1, "a€".encode())
    ws.sock.sendall(frame(0x1, b"ok \xc0\xaf"))  # an overlong '/'
    assert ws.read_close()[0] == 1007
    ws.close()


def test_a_message_past_max_message_is_closed_with_1009_and_one_at_it_is_echoed(srv):
    ws = RawWs(srv.port, "/chat")
    ws.sock.sendall(frame(0x2, b"x" * CHAT_MAX))
    assert ws.read_frame() == (0x2, b"x" * CHAT_MAX)
    ws.sock.sendall(frame(0x2, b"x" * (CHAT_MAX - 10), fin=False) + frame(0x0, b"y" * 11))
    assert ws.read_close()[0] == 1009
    ws.close()


def test_a_ping_between_fragments_is_answered_and_the_message_joined(srv):
    ws = RawWs(srv.port)
    ws.sock.sendall(frame(0x1, b"Hel", fin=False) + frame(0x9, b"ping!") +
                    frame(0x0, b"lo", fin=False) + frame(0x0, b"!"))
    assert ws.read_frame() == (0xA, b"ping!")
    assert ws.read_frame() == (0x1, b"Hello!")
    ws.close()


@pytest.mark.parametrize("frames", [
    frame(0x0, b"orphan"),                                # continuation without a message
    frame(0x1, b"a", fin=False) + frame(0x1, b"b"),       # a new message inside one
    frame(0x9, b"p", fin=False),                          # a fragmented control frame
    frame(0x9, b"p" * 126),                               # a control frame over 125 bytes
    frame(0x3, b"x"),                                     # a reserved opcode
    bytes([0x80 | 0x40 | 0x1]) + frame(0x1, b"x")[1:],    # RSV1 without deflate (on /chat)
    frame(0x8, b"\x03"),                                  # a Close of one byte
    frame(0x8, struct.pack("!H", 1005)),                  # a code that is never sent
], ids=["orphan continuation", "interleaved message", "fragmented ping", "long ping",
        "reserved opcode", "rsv1", "one-byte close", "close 1005"])
def test_protocol_errors_are_closed_with_1002(srv, frames):
    ws = RawWs(srv.port, "/chat")
    ws.sock.sendall(frames)
    assert ws.read_close()[0] == 1002
    ws.close()


def test_the_clients_close_is_answered_with_the_same_code_then_the_server_closes(srv):
    ws = RawWs(srv.port)
    ws.sock.sendall(frame(0x8, struct.pack("!H", 4001) + b"bye"))
    assert ws.read_close()[0] == 4001
    ws.close()


def test_a_graceful_stop_closes_open_websockets_with_1001(srv):
    ws = RawWs(srv.port)
    ws.sock.sendall(frame(0x1, b"still here"))
    assert ws.read_frame() == (0x1, b"still here")
    srv.signal(signal.SIGTERM)
    assert ws.read_close()[0] == 1001
    ws.close()
    assert srv.wait(10) == 0


# -- routes written with the library (examples/chat) -------------------------------------------

@pytest.fixture
def chat(start_server):
    exe = EXAMPLES_DIR / "example_chat"
    require(exe, "example_chat")
    return start_server([exe], "example-chat")


def test_a_room_message_reaches_every_member_whatever_worker_holds_it(chat):
    async def go():
        url = f"ws://127.0.0.1:{chat.port}/room"
        async with websockets.connect(url) as a:
            welcome = await a.recv()
            assert welcome.startswith("welcome ")
            na = welcome.split()[1]
            assert await a.recv() == f"{na} joined"
            async with websockets.connect(url) as b:
                nb = (await b.recv()).split()[1]
                assert await b.recv() == f"{nb} joined"
                assert await a.recv() == f"{nb} joined"
                await a.send("hello room")
                assert await a.recv() == f"{na}: hello room"
                assert await b.recv() == f"{na}: hello room"
                await b.send(b"binary")  # the room takes text only: 1003
                with pytest.raises(websockets.ConnectionClosed):
                    await b.recv()
                assert b.close_code == 1003
    run(go())


def test_a_thread_of_the_route_sends_its_ticks_in_order_then_closes(chat):
    async def go():
        async with websockets.connect(f"ws://127.0.0.1:{chat.port}/ticker?n=200") as ws:
            got = [await ws.recv() for _ in range(200)]
            assert got == [f"tick {i}" for i in range(1, 201)]
            with pytest.raises(websockets.ConnectionClosedOK):
                await ws.recv()
            assert (ws.close_code, ws.close_reason) == (1000, "done")
    run(go())
