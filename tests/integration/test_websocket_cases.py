"""WebSocket cases after the Autobahn TestSuite's sections 1-7 and 9 (the suite itself needs
Python 2), run against `[[sites.websocket]]` echo routes of one server for the whole module:

  1 framing      text and binary of every length encoding, sent whole and in chops
  2 pings        Ping answered by a Pong of the same payload, unsolicited Pongs ignored
  3 reserved bits, 4 reserved opcodes: Close 1002
  5 fragmentation: fragments joined, control frames between them, misplaced continuations
  6 UTF-8        Markus Kuhn's sequences, valid and not, whole, split at every byte and sent
                 byte by byte; a byte that proves the text invalid gets Close 1007 at once
  7 closing      codes and reasons echoed or refused, what follows a Close ignored
  9 limits       messages up to the route's max_message, in many fragment and write sizes

Every case ends with the server's Close (the code asserted, and nothing before it that the case
did not expect) and then the server's TCP close (RFC 6455 §7.1.1: the server closes first). A
case that ends well sends Close 1000 and gets 1000 back. Case numbers are the suite's; a
letter after one (5.2b) or a number past its last (1.3.x, 3.8-3.12) marks a case added here.
The client is written here, to send what a correct client never would.

Then a real client: headless Chromium loads a page of the site whose script talks to /echo.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import subprocess
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, Server, chromium, require, stop_all
from ws_frames import BINARY, CLOSE, CONT, PING, PONG, TEXT, frame

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
NO_CODE = 1005  # what an empty Close frame reports (RFC 6455 §7.1.5); never on the wire
BIG_MAX = 16 * 1024 * 1024  # max_message of /big
TIMEOUT = 10.0  # seconds a case waits for the server's next frame


# -- the server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require(TEAPOT_BIN, "teapot")
    base = tmp_path_factory.mktemp("wscases")
    root = base / "www"
    root.mkdir()
    (root / "ws.html").write_text(BROWSER_PAGE, encoding="utf-8")
    (root / "hold.txt").write_bytes(b"held\n")
    config = base / "teapot.toml"
    config.write_text(
        '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "2s"\n'
        f'[[sites]]\nhosts = ["localhost"]\ndefault = true\nroot = "{root}"\n'
        '[[sites.websocket]]\npath = "/echo"\n'
        '[[sites.websocket]]\npath = "/big"\n'
        f'max_message = "{BIG_MAX}"\npermessage_deflate = false\n')
    logs = base / "logs"
    logs.mkdir()
    server = Server([str(TEAPOT_BIN), "serve", "--config", str(config)], logs, "teapot-wscases")
    server.start()
    yield server
    stop_all([server])


# -- frames ----------------------------------------------------------------------------------


def close_frame(code: int, rsv: int = 0) -> bytes:
    return frame(CLOSE, struct.pack("!H", code), rsv=rsv)


@dataclass
class Frame:
    fin: bool
    rsv: int
    op: int
    payload: bytes


class Peer:
    """A client socket past its 101: bytes out in the writes asked for, frames in."""

    def __init__(self, port: int, path: str = "/echo", deflate: bool = False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16))
        extra = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else ""
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key.decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n".encode())
        self.buf = bytearray()
        self.at = 0
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, bytes(self.buf)
            self.buf += chunk
        end = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:end]).decode()
        del self.buf[:end]
        assert head.startswith("HTTP/1.1 101 "), head
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        assert f"\r\nSec-WebSocket-Accept: {accept}\r\n" in head, head
        self.inflater = None
        if deflate:
            assert "permessage-deflate" in head, head
            self.reset_inflater = "server_no_context_takeover" in head
            self.inflater = zlib.decompressobj(-15)

    # Writes. A server that failed the connection half-closes and drains what still comes, so
    # that sending on is harmless; a send error then only ends the writes.
    def send(self, data: bytes, chop: int | None = None) -> None:
        step = chop or len(data) or 1
        try:
            for i in range(0, len(data), step):
                self.sock.sendall(data[i:i + step])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _need(self, n: int) -> bytes:
        while len(self.buf) - self.at < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError(f"TCP closed with {len(self.buf) - self.at} bytes of a frame")
            self.buf += chunk
        out = bytes(self.buf[self.at:self.at + n])
        self.at += n
        if self.at > (1 << 20):
            del self.buf[:self.at]
            self.at = 0
        return out

    def next_frame(self) -> Frame:
        b0, b1 = self._need(2)
        assert b1 & 0x80 == 0, "a server's frame is never masked (§5.1)"
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._need(2))[0]
            assert n >= 126, "§5.2: the length in the fewest bytes"
        elif n == 127:
            n = struct.unpack("!Q", self._need(8))[0]
            assert 65536 <= n < 1 << 63, "§5.2: the length in the fewest bytes, MSB 0"
        return Frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, self._need(n))

    def next_message(self) -> tuple[int, bytes]:
        """The next frame as (opcode, payload), inflated when it is compressed (RFC 7692)."""
        f = self.next_frame()
        assert f.fin, "the server sends each message in one frame"
        if f.rsv == 4 and self.inflater is not None and f.op in (TEXT, BINARY):
            data = self.inflater.decompress(f.payload + b"\x00\x00\xff\xff")
            if self.reset_inflater:
                self.inflater = zlib.decompressobj(-15)
            return f.op, data
        assert f.rsv == 0, f"RSV {f.rsv} on a frame of the server"
        return f.op, f.payload

    def expect_close(self, code: int) -> bytes:
        """The next frame is the server's Close with this code (NO_CODE: an empty one), then
        the server closes the TCP connection. Returns the reason."""
        f = self.next_frame()
        assert (f.op, f.fin, f.rsv) == (CLOSE, True, 0), f"a Close was due, came {f}"
        if code == NO_CODE:
            assert f.payload == b"", f.payload
            self.expect_tcp_close()
            return b""
        assert len(f.payload) >= 2, f.payload
        got = struct.unpack("!H", f.payload[:2])[0]
        assert got == code, f"Close {got} {f.payload[2:]!r}, expected {code}"
        reason = f.payload[2:]
        reason.decode("utf-8")  # §5.5.1: the reason is UTF-8
        self.expect_tcp_close()
        return reason

    def expect_tcp_close(self) -> None:
        try:
            rest = self.sock.recv(100)
        except ConnectionResetError:
            rest = b""
        assert len(self.buf) == self.at and rest == b"", \
            f"after its Close the server sent {bytes(self.buf[self.at:]) + rest!r}, not EOF"

    def close(self) -> None:
        self.sock.close()


# -- cases as data ---------------------------------------------------------------------------


@dataclass
class Send:
    frames: list[bytes]


@dataclass
class Expect:
    op: int
    payload: bytes


@dataclass
class Case:
    id: str
    steps: list = field(default_factory=list)
    close: int = 1000  # the code of the server's Close
    client_closes: bool = True  # the runner sends Close 1000 after the steps
    path: str = "/echo"
    deflate: bool = False
    # How each Send is written: "all" in one write, "frame" one write per frame, "octet" one
    # write per byte, a number: writes of that many bytes.
    chop: str | int = "all"

    def __str__(self) -> str:
        return self.id


def ok(id_: str, *steps, **kw) -> Case:
    """The steps run, then Close 1000 is sent and echoed."""
    return Case(id_, list(steps), **kw)


def fails(id_: str, code: int, *steps, **kw) -> Case:
    """The server fails the connection with this code after the steps."""
    return Case(id_, list(steps), close=code, client_closes=False, **kw)


def run_case(port: int, case: Case) -> None:
    peer = Peer(port, case.path, case.deflate)
    try:
        for step in case.steps:
            if isinstance(step, Send):
                write(peer, step.frames, case.chop)
            else:
                expect_message(peer, step.op, step.payload, case.id)
        if case.client_closes:
            peer.send(close_frame(1000))
        peer.expect_close(case.close)
    finally:
        peer.close()


def write(peer: Peer, frames: list[bytes], chop: str | int) -> None:
    if chop == "frame":
        for f in frames:
            peer.send(f)
        return
    peer.send(b"".join(frames), {"all": None, "octet": 1}.get(chop, chop))


def expect_message(peer: Peer, op: int, payload: bytes, what: str) -> None:
    """The next message is this one; a mismatch is told in a line, not as a diff of MiBs."""
    got_op, got = peer.next_message()
    if (got_op, got) == (op, payload):
        return
    at = next((i for i, (a, b) in enumerate(zip(got, payload)) if a != b), min(len(got),
                                                                               len(payload)))
    raise AssertionError(f"{what}: expected opcode {op} with {len(payload)} bytes, came opcode "
                         f"{got_op} with {len(got)} bytes, first difference at byte {at}: "
                         f"{got[at:at + 16]!r} for {payload[at:at + 16]!r}")


def with_chops(cases: list[Case], chops=("all", "frame", "octet")) -> list[Case]:
    return [replace(c, id=f"{c.id} ({chop})", chop=chop) for c in cases for chop in chops]


def params(cases: list[Case]):
    return [pytest.param(c, id=c.id) for c in cases]


# -- 1 framing -------------------------------------------------------------------------------

FRAME_LENGTHS = [0, 125, 126, 127, 128, 65535, 65536]  # each side of each length encoding
EVERY_BYTE = bytes(range(256)) * 257

SECTION_1 = [
    ok(f"1.1.{i} text of {n} bytes", Send([frame(TEXT, b"*" * n)]), Expect(TEXT, b"*" * n))
    for i, n in enumerate(FRAME_LENGTHS, 1)
] + [
    ok("1.1.8 text of 65536 bytes in writes of 997", Send([frame(TEXT, b"*" * 65536)]),
       Expect(TEXT, b"*" * 65536), chop=997),
] + [
    ok(f"1.2.{i} binary of {n} bytes", Send([frame(BINARY, EVERY_BYTE[:n])]),
       Expect(BINARY, EVERY_BYTE[:n]))
    for i, n in enumerate(FRAME_LENGTHS, 1)
] + [
    ok("1.2.8 binary of 65536 bytes in writes of 997", Send([frame(BINARY, b"\xfe" * 65536)]),
       Expect(BINARY, b"\xfe" * 65536), chop=997),
    # §5.1: a server MUST close the connection on an unmasked frame (1002).
    fails("1.3.1 an unmasked frame", 1002, Send([frame(TEXT, b"hi", mask=False)])),
    # §5.2: "the minimal number of bytes MUST be used to encode the length".
    fails("1.3.2 a length of 5 in 16 bits", 1002,
          Send([frame(TEXT, b"hello", length=bytes([126]) + struct.pack("!H", 5))])),
    fails("1.3.3 a length of 200 in 64 bits", 1002,
          Send([frame(TEXT, b"x" * 200, length=bytes([127]) + struct.pack("!Q", 200))])),
    # §5.2: "the most significant bit MUST be 0" in the 64-bit length.
    fails("1.3.4 a 64-bit length with its top bit set", 1002,
          Send([frame(BINARY, b"", length=bytes([127]) + struct.pack("!Q", 1 << 63))])),
]


@pytest.mark.parametrize("case", params(SECTION_1))
def test_1_framing(srv, case):
    run_case(srv.port, case)


def test_1_sixteen_mib_text_and_binary_come_back_whole(srv):
    """Autobahn's 16 MiB frames (1.1.x, 9.1.6, 9.2.6), on /big whose max_message it is."""
    text = utf8_text(BIG_MAX)
    blob = os.urandom(BIG_MAX)
    run_case(srv.port, ok("16 MiB", Send([frame(TEXT, text)]), Expect(TEXT, text),
                          Send([frame(BINARY, blob)]), Expect(BINARY, blob), path="/big"))


# -- 2 pings and pongs -----------------------------------------------------------------------

BINARY_PAYLOAD = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
TEN_PINGS = [frame(PING, f"payload {i}".encode()) for i in range(10)]
TEN_PONGS = [Expect(PONG, f"payload {i}".encode()) for i in range(10)]

SECTION_2 = [
    ok("2.1 an empty Ping", Send([frame(PING)]), Expect(PONG, b"")),
    ok("2.2 a Ping with text", Send([frame(PING, b"Hello, world!")]),
       Expect(PONG, b"Hello, world!")),
    ok("2.3 a Ping with binary", Send([frame(PING, BINARY_PAYLOAD)]), Expect(PONG, BINARY_PAYLOAD)),
    ok("2.4 a Ping of 125 bytes", Send([frame(PING, b"\xfe" * 125)]), Expect(PONG, b"\xfe" * 125)),
    # §5.5: "All control frames MUST have a payload length of 125 bytes or less".
    fails("2.5 a Ping of 126 bytes", 1002, Send([frame(PING, b"\xfe" * 126)])),
    ok("2.6 a Ping of 125 bytes byte by byte", Send([frame(PING, b"\xfe" * 125)]),
       Expect(PONG, b"\xfe" * 125), chop="octet"),
    # §5.5.3: "A response to an unsolicited Pong frame is not expected." The Close that follows
    # is the next frame: nothing answered the Pong.
    ok("2.7 an unsolicited empty Pong", Send([frame(PONG)])),
    ok("2.8 an unsolicited Pong with a payload", Send([frame(PONG, b"unsolicited")])),
    ok("2.9 an unsolicited Pong, then a Ping", Send([frame(PONG, b"unsolicited"),
                                                     frame(PING, b"ping payload")]),
       Expect(PONG, b"ping payload")),
    # §5.5.2 asks a Pong for each Ping "as soon as practical" (§5.5.3 lets a later Ping's Pong
    # stand for earlier ones, but this server answers each, in order).
    ok("2.10 ten Pings", Send(TEN_PINGS), *TEN_PONGS),
    ok("2.11 ten Pings byte by byte", Send(TEN_PINGS), *TEN_PONGS, chop="octet"),
]


@pytest.mark.parametrize("case", params(SECTION_2))
def test_2_pings_and_pongs(srv, case):
    run_case(srv.port, case)


# -- 3 reserved bits -------------------------------------------------------------------------
# §5.2: "If a nonzero value is received and none of the negotiated extensions defines the
# meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
# 1002 is the protocol error of §7.4.1. The Ping sent after the bad frame must not be answered.

HELLO = b"Hello, world!"


def rsv_after_echo(id_: str, rsv: int, chop: str = "all") -> Case:
    return fails(id_, 1002, Send([frame(TEXT, HELLO)]), Expect(TEXT, HELLO),
                 Send([frame(TEXT, HELLO, rsv=rsv), frame(PING, HELLO)]), chop=chop)


def deflated(data: bytes) -> bytes:
    """A message compressed as RFC 7692 §7.2.1 says: raw DEFLATE, the empty block's tail cut."""
    c = zlib.compressobj(wbits=-15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


LONG_TEXT = ("κόσμε teapot ☕ " * 40).encode()

SECTION_3 = [
    fails("3.1 text with RSV1 (no extension)", 1002, Send([frame(TEXT, HELLO, rsv=4)])),
    rsv_after_echo("3.2 text, then text with RSV2, then a Ping", 2),
    rsv_after_echo("3.3 text, then text with RSV3, then a Ping (frame by frame)", 3, "frame"),
    rsv_after_echo("3.4 text, then text with RSV=4, then a Ping (byte by byte)", 4, "octet"),
    fails("3.5 binary with RSV=5", 1002, Send([frame(BINARY, BINARY_PAYLOAD, rsv=5)])),
    fails("3.6 a Ping with RSV=6", 1002, Send([frame(PING, HELLO, rsv=6)])),
    fails("3.7 a Close with RSV=7", 1002, Send([close_frame(1000, rsv=7)])),
    # With permessage-deflate agreed, RSV1 marks the first frame of a compressed message and
    # nothing else (RFC 7692 §6.1: not on control frames, not on continuations; RSV2 and RSV3
    # stay undefined).
    ok("3.8 a compressed message, deflate agreed", Send([frame(TEXT, deflated(LONG_TEXT), rsv=4)]),
       Expect(TEXT, LONG_TEXT), deflate=True),
    ok("3.9 a compressed message in 3 fragments, deflate agreed",
       Send([frame(BINARY, deflated(LONG_TEXT)[:10], fin=False, rsv=4),
             frame(CONT, deflated(LONG_TEXT)[10:20], fin=False),
             frame(CONT, deflated(LONG_TEXT)[20:])]),
       Expect(BINARY, LONG_TEXT), deflate=True),
    fails("3.10 a Ping with RSV1, deflate agreed", 1002, Send([frame(PING, HELLO, rsv=4)]),
          deflate=True),
    fails("3.11 a continuation with RSV1, deflate agreed", 1002,
          Send([frame(TEXT, deflated(HELLO), fin=False, rsv=4), frame(CONT, b"", rsv=4)]),
          deflate=True),
    fails("3.12 text with RSV2, deflate agreed", 1002, Send([frame(TEXT, HELLO, rsv=2)]),
          deflate=True),
]


@pytest.mark.parametrize("case", params(SECTION_3))
def test_3_reserved_bits(srv, case):
    run_case(srv.port, case)


# -- 4 reserved opcodes ----------------------------------------------------------------------
# §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved; "If an unknown opcode is received, the
# receiving endpoint MUST _Fail the WebSocket Connection_."


def reserved_opcode(id_: str, op: int, payload: bytes, after_echo: bool) -> Case:
    if not after_echo:
        return fails(id_, 1002, Send([frame(op, payload)]))
    return fails(id_, 1002, Send([frame(TEXT, HELLO)]), Expect(TEXT, HELLO),
                 Send([frame(op, payload), frame(PING, HELLO)]))


SECTION_4 = [
    reserved_opcode(f"4.{group}.{i} opcode {op}{' after an echo, then a Ping' if i > 2 else ''}",
                    op, b"reserved" if i % 3 != 1 else b"", i > 2)
    for group, ops in ((1, (3, 4, 5, 6, 7)), (2, (11, 12, 13, 14, 15)))
    for i, op in enumerate(ops, 1)
]


@pytest.mark.parametrize("case", params(SECTION_4))
def test_4_reserved_opcodes(srv, case):
    run_case(srv.port, case)


# -- 5 fragmentation -------------------------------------------------------------------------
# §5.4: a message is a text or binary frame with FIN clear, continuations, and a last
# continuation with FIN set; control frames may come between them and are not fragmented.
# A continuation with no message open, or a new message inside one, is a protocol error (1002).

F1, F2 = b"fragment1", b"fragment2"

SECTION_5 = with_chops([
    fails("5.1 a Ping in 2 fragments", 1002,
          Send([frame(PING, F1, fin=False), frame(CONT, F2)])),
    fails("5.2 a Pong in 2 fragments", 1002,
          Send([frame(PONG, F1, fin=False), frame(CONT, F2)])),
    fails("5.2b a Close in 2 fragments", 1002,
          Send([frame(CLOSE, struct.pack("!H", 1000), fin=False), frame(CONT, b"")])),
    ok("5.3 text in 2 fragments", Send([frame(TEXT, F1, fin=False), frame(CONT, F2)]),
       Expect(TEXT, F1 + F2)),
    ok("5.3b binary in 2 fragments", Send([frame(BINARY, F1, fin=False), frame(CONT, F2)]),
       Expect(BINARY, F1 + F2)),
    ok("5.3c binary in 6 fragments, some empty",
       Send([frame(BINARY, b"", fin=False), frame(CONT, b"\x00", fin=False),
             frame(CONT, b"", fin=False), frame(CONT, b"\xff" * 200, fin=False),
             frame(CONT, b"\x01\x02", fin=False), frame(CONT, b"")]),
       Expect(BINARY, b"\x00" + b"\xff" * 200 + b"\x01\x02")),
    ok("5.6 text in 2 fragments, a Ping between",
       Send([frame(TEXT, F1, fin=False), frame(PING, b"ping payload"), frame(CONT, F2)]),
       Expect(PONG, b"ping payload"), Expect(TEXT, F1 + F2)),
    ok("5.6b binary in 2 fragments, a Pong between",
       Send([frame(BINARY, F1, fin=False), frame(PONG, b"pong payload"), frame(CONT, F2)]),
       Expect(BINARY, F1 + F2)),
    fails("5.9 a continuation (FIN) with no message, then text", 1002,
          Send([frame(CONT, F2), frame(TEXT, HELLO)])),
    fails("5.12 a continuation (no FIN) with no message, then text", 1002,
          Send([frame(CONT, F2, fin=False), frame(TEXT, HELLO)])),
    fails("5.15 a message in 2 fragments, then a continuation, then text", 1002,
          Send([frame(TEXT, F1, fin=False), frame(CONT, F2), frame(CONT, b"fragment3", fin=False),
                frame(TEXT, b"fragment4")]),
          Expect(TEXT, F1 + F2)),
    fails("5.16 twice: a continuation (no FIN), then a message in 2 fragments", 1002,
          Send([frame(CONT, F1, fin=False), frame(TEXT, F2, fin=False), frame(CONT, b"3")] * 2)),
    fails("5.17 twice: a continuation (FIN), then a message in 2 fragments", 1002,
          Send([frame(CONT, F1), frame(TEXT, F2, fin=False), frame(CONT, b"3")] * 2)),
    fails("5.18 text in 2 fragments, both with the text opcode", 1002,
          Send([frame(TEXT, F1, fin=False), frame(TEXT, F2)])),
    fails("5.18b binary inside an unfinished text message", 1002,
          Send([frame(TEXT, F1, fin=False), frame(BINARY, F2)])),
    # Autobahn 5.19/5.20: the Pong for a Ping between fragments comes before the message ends.
    ok("5.19 a Pong for each Ping while the message is still open",
       Send([frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2", fin=False),
             frame(PING, b"pongme 1!")]),
       Expect(PONG, b"pongme 1!"),
       Send([frame(CONT, b"fragment3", fin=False), frame(CONT, b"fragment4", fin=False),
             frame(PING, b"pongme 2!")]),
       Expect(PONG, b"pongme 2!"),
       Send([frame(CONT, b"fragment5")]),
       Expect(TEXT, b"fragment1fragment2fragment3fragment4fragment5")),
])


@pytest.mark.parametrize("case", params(SECTION_5))
def test_5_fragmentation(srv, case):
    run_case(srv.port, case)


# -- 6 UTF-8 ---------------------------------------------------------------------------------
# §8.1: text is UTF-8 (RFC 3629), judged over the whole message, whatever its fragments; text
# that is not gets 1007 (§7.4.1). The sequences are those of Markus Kuhn's UTF-8 decoder test
# that the Autobahn suite sends (its 6.x cases).

# κόσμε as Kuhn's file spells it: its ό is U+1F79, three bytes.
KOSME = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

VALID_UTF8 = {
    "some valid text": [b"hello$world", "hello¢world".encode(), "hello€world".encode(),
                        "hello\U00024b62world".encode(), KOSME, "Hello-µ@ßöäüàá-UTF-8!!".encode()],
    "the first of each length": [b"\x00", b"\xc2\x80", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80"],
    "the last of each length": [b"\x7f", b"\xdf\xbf", b"\xef\xbf\xbf", b"\xf4\x8f\xbf\xbf"],
    "other boundaries": [b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbd"],
    # Noncharacters and specials are scalar values, hence UTF-8 (RFC 3629 §3).
    "noncharacters": [b"\xef\xbf\xbe"] + [bytes([a, b, 0xbf, c])
                                         for a in (0xf0, 0xf1, 0xf2, 0xf3)
                                         for b in (0x9f, 0xaf, 0xbf) for c in (0xbe, 0xbf)]
                     + [bytes([0xf4, 0x8f, 0xbf, c]) for c in (0xbe, 0xbf)],
    "specials": [bytes([0xef, 0xbf, c]) for c in range(0xb9, 0xc0)],
    "the prefixes of kosme that end a code point": [KOSME[:n] for n in (2, 5, 7, 9, 11)],
}

MISSING_LAST = [b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xf8\x80\x80\x80", b"\xfc\x80\x80\x80\x80",
                b"\xdf", b"\xef\xbf", b"\xf7\xbf\xbf", b"\xfb\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf"]

INVALID_UTF8 = {
    "5 and 6 byte forms": [b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80",
                           b"\xfb\xbf\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf\xbf"],
    "past U+10FFFF": [b"\xf4\x90\x80\x80", b"\xf7\xbf\xbf\xbf"],
    "unexpected continuations": [b"\x80", b"\xbf", b"\x80\xbf", b"\x80\xbf\x80",
                                 b"\x80\xbf\x80\xbf", b"\x80\xbf\x80\xbf\x80",
                                 b"\x80\xbf\x80\xbf\x80\xbf", bytes(range(0x80, 0xc0))],
    "lonely starts, each before a space": [
        b"".join(bytes([c, 0x20]) for c in range(lo, hi + 1))
        for lo, hi in ((0xc0, 0xdf), (0xe0, 0xef), (0xf0, 0xf7), (0xf8, 0xfb), (0xfc, 0xfd))],
    "the last continuation missing": MISSING_LAST,
    "incomplete sequences end to end": [b"".join(MISSING_LAST)],
    "impossible bytes": [b"\xfe", b"\xff", b"\xfe\xfe\xff\xff"],
    "overlong slashes": [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xf8\x80\x80\x80\xaf",
                         b"\xfc\x80\x80\x80\x80\xaf"],
    "the longest overlongs": [b"\xc1\xbf", b"\xe0\x9f\xbf", b"\xf0\x8f\xbf\xbf",
                              b"\xf8\x87\xbf\xbf\xbf", b"\xfc\x83\xbf\xbf\xbf\xbf"],
    "overlong NULs": [b"\xc0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80", b"\xf8\x80\x80\x80\x80",
                      b"\xfc\x80\x80\x80\x80\x80"],
    "single surrogates": [b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80", b"\xed\xaf\xbf",
                          b"\xed\xb0\x80", b"\xed\xbe\x80", b"\xed\xbf\xbf"],
    "paired surrogates": [hi + lo for hi in (b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80",
                                             b"\xed\xaf\xbf")
                          for lo in (b"\xed\xb0\x80", b"\xed\xbf\xbf")],
    "the prefixes of kosme that cut a code point": [KOSME[:n] for n in (1, 3, 4, 6, 8, 10)],
    "a surrogate inside text": [KOSME + b"\xed\xa0\x80" + b"edited"],
}


def proving_index(data: bytes) -> int | None:
    """The index of the first byte that no well-formed UTF-8 can have there (Unicode table
    3-7, RFC 3629 §4), or None when every byte could still begin or continue one. Written
    from the table here, so as not to lean on the server's validator or Python's decoder
    (which waits for the third byte of ED A0 80)."""
    second = {0xe0: (0xa0, 0xbf), 0xed: (0x80, 0x9f), 0xf0: (0x90, 0xbf), 0xf4: (0x80, 0x8f)}
    need, lo, hi = 0, 0x80, 0xbf
    for i, b in enumerate(data):
        if need:
            if not lo <= b <= hi:
                return i
            need, lo, hi = need - 1, 0x80, 0xbf
        elif b < 0x80:
            continue
        elif 0xc2 <= b <= 0xdf:
            need = 1
        elif 0xe0 <= b <= 0xef:
            need, (lo, hi) = 2, second.get(b, (0x80, 0xbf))
        elif 0xf0 <= b <= 0xf4:
            need, (lo, hi) = 3, second.get(b, (0x80, 0xbf))
        else:
            return i
    return None


def utf8_params(table: dict[str, list[bytes]]):
    return [pytest.param(seq, id=f"{group}: {seq[:16].hex(' ')}{'...' if len(seq) > 16 else ''}")
            for group, seqs in table.items() for seq in seqs]


SECTION_6 = [
    ok("6.1.1 empty text", Send([frame(TEXT)]), Expect(TEXT, b"")),
    ok("6.1.2 text of 3 empty fragments",
       Send([frame(TEXT, fin=False), frame(CONT, fin=False), frame(CONT)]), Expect(TEXT, b"")),
    ok("6.1.3 text of 3 fragments, the first and last empty",
       Send([frame(TEXT, fin=False), frame(CONT, b"middle frame payload", fin=False),
             frame(CONT)]), Expect(TEXT, b"middle frame payload")),
    ok("6.2.2 text in 2 fragments cut between code points",
       Send([frame(TEXT, "Hello-µ@ßöä".encode(), fin=False), frame(CONT, "üàá-UTF-8!!".encode())]),
       Expect(TEXT, "Hello-µ@ßöäüàá-UTF-8!!".encode())),
    ok("6.2.3 text in fragments of one byte", Send(
        [frame(TEXT if i == 0 else CONT, KOSME[i:i + 1], fin=i == len(KOSME) - 1)
         for i in range(len(KOSME))]), Expect(TEXT, KOSME)),
    fails("6.3.2 invalid text in fragments of one byte", 1007, Send(
        [frame(TEXT if i == 0 else CONT, bytes([b]), fin=False)
         for i, b in enumerate(KOSME + b"\xed\xa0\x80")])),
    # §8.1 judges the text the application gets: with permessage-deflate, the inflated bytes.
    fails("6.3.3 compressed text that inflates to a surrogate", 1007,
          Send([frame(TEXT, deflated(b"x" * 100 + b"\xed\xa0\x80"), rsv=4)]), deflate=True),
]


@pytest.mark.parametrize("case", params(SECTION_6))
def test_6_utf8_cases(srv, case):
    run_case(srv.port, case)


def frames_split_at(op: int, data: bytes, at: int) -> list[bytes]:
    return [frame(op, data[:at], fin=False), frame(CONT, data[at:])]


@pytest.mark.parametrize("seq", utf8_params(VALID_UTF8))
def test_6_valid_utf8_is_echoed_whole_split_at_every_byte_and_sent_byte_by_byte(srv, seq):
    assert proving_index(seq) is None and seq.decode("utf-8") is not None
    peer = Peer(srv.port)
    try:
        peer.send(frame(TEXT, seq))
        assert peer.next_message() == (TEXT, seq)
        for at in range(1, len(seq)):
            peer.send(b"".join(frames_split_at(TEXT, seq, at)))
            assert peer.next_message() == (TEXT, seq), f"split at {at}"
        peer.send(frame(TEXT, seq), chop=1)
        assert peer.next_message() == (TEXT, seq), "byte by byte"
        peer.send(close_frame(1000))
        peer.expect_close(1000)
    finally:
        peer.close()


def expect_1007(port: int, writes: list[bytes], how: str) -> None:
    """Sends the writes (no more) and expects Close 1007: the server has what proves the text
    invalid, and fails the connection without waiting for the rest of the message."""
    peer = Peer(port)
    try:
        for w in writes:
            peer.send(w)
        try:
            peer.expect_close(1007)
        except (AssertionError, socket.timeout, EOFError) as e:
            raise AssertionError(f"{how}: {e}") from e
    finally:
        peer.close()


@pytest.mark.parametrize("seq", utf8_params(INVALID_UTF8))
def test_6_invalid_utf8_gets_1007_at_the_byte_that_proves_it_however_the_text_is_cut(srv, seq):
    with pytest.raises(UnicodeDecodeError):
        seq.decode("utf-8")
    p = proving_index(seq)
    stop = len(seq) if p is None else p + 1  # the bytes the server needs to know
    whole = frame(TEXT, seq)
    head = len(whole) - len(seq)
    # One frame: whole; then only up to the proving byte, the rest never sent (Autobahn 6.4.3
    # and 6.4.4: the frame's payload is still unfinished when the Close must come).
    expect_1007(srv.port, [whole], "whole")
    if p is not None:
        expect_1007(srv.port, [whole[:head + stop]], f"one frame cut after byte {p}")
    expect_1007(srv.port, [bytes([b]) for b in whole[:head + stop]], "byte by byte")
    # Two fragments, cut at every byte; the second is not sent when the first proves it
    # (Autobahn 6.4.1 and 6.4.2: the message is unfinished when the Close must come).
    for at in range(1, len(seq)):
        first, second = frames_split_at(TEXT, seq, at)
        writes = [first] if p is not None and p < at else [first, second]
        expect_1007(srv.port, writes, f"fragments cut at {at}")


@pytest.mark.parametrize("tail_sent", [False, True], ids=["up to the bad byte", "bad code point"])
@pytest.mark.parametrize("in_frames", [True, False], ids=["in 3 fragments", "in 3 writes"])
def test_6_4_fail_fast_the_close_comes_before_the_message_ends(srv, in_frames, tail_sent):
    """Autobahn 6.4.1-6.4.4: valid text, then the bytes of U+110000 (F4 90 80 80, invalid at
    90), then more text that is never sent; the Close must come in the meantime."""
    part1, part2 = KOSME, b"\xf4\x90\x80\x80" if tail_sent else b"\xf4\x90"
    whole = KOSME + b"\xf4\x90\x80\x80" + b"edited"
    peer = Peer(srv.port)
    try:
        if in_frames:
            peer.send(frame(TEXT, part1, fin=False))
        else:
            one = frame(TEXT, whole)
            head = len(one) - len(whole)
            peer.send(one[:head + len(part1)])
        # The first part is valid: nothing comes for it (the server waits for more).
        peer.sock.settimeout(0.2)
        with pytest.raises(socket.timeout):
            peer.sock.recv(1, socket.MSG_PEEK)
        peer.sock.settimeout(TIMEOUT)
        if in_frames:
            peer.send(frame(CONT, part2, fin=False))
        else:
            peer.send(one[head + len(part1):head + len(part1) + len(part2)])
        peer.expect_close(1007)
    finally:
        peer.close()


# -- 7 closing -------------------------------------------------------------------------------


def close_case(id_: str, body: bytes, answer: int | None = None) -> Case:
    """The client's Close with this body; answer: the code of the server's Close (by default
    the code the client sent)."""
    sent = struct.unpack("!H", body[:2])[0] if len(body) >= 2 else NO_CODE
    return Case(id_, [Send([frame(CLOSE, body)])], answer or sent, client_closes=False)


def close_body(n: int, reason: bytes = b"") -> bytes:
    return struct.pack("!H", n) + reason


# §7.4.1 and IANA's registry: 1000-1003, 1007-1014 may be sent; 3000-3999 are registered for
# libraries, 4000-4999 private. §7.4.2: 0-999 "are not used", 1004-1006 and 1015 are reserved
# or MUST NOT be sent in a Close frame, 1016-2999 are for future versions of the protocol.
# 5000 and up are outside every range §7.4.2 defines (Autobahn's 7.13 leaves them to the
# implementation); a code the protocol does not define makes the frame invalid, so the server
# fails the connection (§7.1.7) with 1002 as for the others.
VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
               3999, 4000, 4999]
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999]
UNDEFINED_CODES = [5000, 65535]

SECTION_7 = [
    ok("7.1.1 a message, then Close", Send([frame(TEXT, HELLO)]), Expect(TEXT, HELLO)),
    # §1.4: "after receiving a control frame indicating the connection should be closed, a
    # peer discards any further data received" (a second Close, a Ping, text, a fragment).
    Case("7.1.2 two Close frames", [Send([close_frame(1000), close_frame(1001)])],
         client_closes=False),
    Case("7.1.3 a Ping after Close", [Send([close_frame(1000), frame(PING, HELLO)])],
         client_closes=False),
    Case("7.1.4 text after Close", [Send([close_frame(1000), frame(TEXT, HELLO)])],
         client_closes=False),
    # §5.4: a control frame may come between fragments; the Close ends the connection there.
    Case("7.1.5 a fragment, Close, the last fragment",
         [Send([frame(TEXT, F1, fin=False), close_frame(1000), frame(CONT, F2)])],
         client_closes=False),
    # Autobahn 7.1.6 leaves the order to the implementation: §5.5.1 lets an endpoint "delay
    # sending a Close frame until its current message is sent". This server hands each message
    # to the route as its last frame is read, before the frames behind it, so the echo comes
    # first; then nothing more (§5.5.1: no data frames after a Close).
    Case("7.1.6 256 KiB of text, Close, a Ping",
         [Send([frame(TEXT, b"BAsd7&jh23" * 26214), close_frame(1000), frame(PING, HELLO)]),
          Expect(TEXT, b"BAsd7&jh23" * 26214)], client_closes=False),
    # §5.5.1: a Close without a body is answered by one without a body (1005 is never sent).
    close_case("7.3.1 an empty Close", b""),
    # §5.5.1: a body, if any, starts with a 2-byte code.
    close_case("7.3.2 a Close of 1 byte", b"\x03", answer=1002),
    close_case("7.3.3 Close 1000", close_body(1000)),
    close_case("7.3.4 Close 1000 with a reason", close_body(1000, b"Hello World!")),
    close_case("7.3.5 Close with a reason of 123 bytes", close_body(1000, b"*" * 123)),
    close_case("7.3.6 Close with a reason of 124 bytes (payload 126)", close_body(1000, b"*" * 124),
               answer=1002),
    # §5.5.1: the reason is UTF-8; §8.1 fails a connection on bytes that are not: 1007.
    close_case("7.5.1 Close with a reason that is not UTF-8",
               close_body(1000, KOSME + b"\xed\xa0\x80edited"), answer=1007),
] + [
    close_case(f"7.7.{i} Close {n} is echoed", close_body(n)) for i, n in enumerate(VALID_CODES, 1)
] + [
    close_case(f"7.9.{i} Close {n} is refused", close_body(n), answer=1002)
    for i, n in enumerate(INVALID_CODES, 1)
] + [
    close_case(f"7.13.{i} Close {n} is refused", close_body(n), answer=1002)
    for i, n in enumerate(UNDEFINED_CODES, 1)
]


@pytest.mark.parametrize("case", params(SECTION_7))
def test_7_closing(srv, case):
    run_case(srv.port, case)


# -- 9 limits and performance ----------------------------------------------------------------
# On /big (max_message 16 MiB, no compression): messages echoed byte-exact, sent in one frame,
# in fragments of 64 bytes to 4 MiB (Autobahn 9.3, 9.4), and in writes of 64 bytes to 2 KiB
# (9.5, 9.6); then a round trip per message for many small ones (9.7, 9.8).

KIB, MIB = 1024, 1024 * 1024


def utf8_text(n: int) -> bytes:
    """n bytes of UTF-8 text with 1-, 2-, 3- and 4-byte code points."""
    unit = "teapot κόσμε ☕ \U0001f375 ".encode()
    full = unit * (n // len(unit) + 1)
    k = n
    while full[k] & 0xC0 == 0x80:  # not cut inside a code point
        k -= 1
    return full[:k] + b"." * (n - k)


def fragments(op: int, data: bytes, size: int) -> bytes:
    parts = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
    return b"".join(frame(op if i == 0 else CONT, p, fin=i == len(parts) - 1)
                    for i, p in enumerate(parts))


PAYLOADS = {TEXT: utf8_text(4 * MIB), BINARY: os.urandom(4 * MIB)}
KIND = {TEXT: "text", BINARY: "binary"}


@pytest.mark.parametrize("op", [TEXT, BINARY], ids=["9.1 text", "9.2 binary"])
@pytest.mark.parametrize("size", [64 * KIB, 256 * KIB, MIB, 4 * MIB],
                         ids=["64 KiB", "256 KiB", "1 MiB", "4 MiB"])
def test_9_1_and_9_2_a_large_message_in_one_frame(srv, op, size):
    data = utf8_text(size) if op == TEXT else PAYLOADS[op][:size]
    run_case(srv.port, ok("", Send([frame(op, data)]), Expect(op, data), path="/big"))


@pytest.mark.parametrize("op", [TEXT, BINARY], ids=["9.3 text", "9.4 binary"])
@pytest.mark.parametrize("size", [64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB,
                                  4 * MIB])
def test_9_3_and_9_4_four_mib_in_fragments(srv, op, size):
    data = PAYLOADS[op]
    run_case(srv.port, ok("", Send([fragments(op, data, size)]), Expect(op, data), path="/big"))


@pytest.mark.parametrize("op", [TEXT, BINARY], ids=["9.5 text", "9.6 binary"])
@pytest.mark.parametrize("chop", [64, 128, 256, 512, 1024, 2048])
def test_9_5_and_9_6_one_mib_in_small_writes(srv, op, chop):
    data = PAYLOADS[op][:MIB] if op == BINARY else utf8_text(MIB)
    run_case(srv.port, ok("", Send([frame(op, data)]), Expect(op, data), path="/big", chop=chop))


@pytest.mark.parametrize("op", [TEXT, BINARY], ids=["9.7 text", "9.8 binary"])
@pytest.mark.parametrize("size", [0, 16, 64, 256, 1024, 4096])
def test_9_7_and_9_8_a_round_trip_per_message(srv, op, size):
    data = PAYLOADS[op][:size] if op == BINARY else b"*" * size
    peer = Peer(srv.port, "/big")
    try:
        one = frame(op, data)
        for _ in range(250):
            peer.send(one)
            assert peer.next_message() == (op, data)
        peer.send(close_frame(1000))
        peer.expect_close(1000)
    finally:
        peer.close()


@pytest.mark.parametrize("how", ["one frame", "fragments of 1 MiB"])
def test_9_a_message_one_byte_past_max_message_gets_1009_before_its_payload(srv, how):
    """The route's limit is the message whole: max_message is echoed (above), one byte more
    gets 1009 (§7.4.1 "a message that is too big for it to process") at the frame header that
    passes it; the payload past it is never sent."""
    n = BIG_MAX + 1
    peer = Peer(srv.port, "/big")
    try:
        if how == "one frame":
            peer.send(frame(BINARY, b"", length=bytes([127]) + struct.pack("!Q", n)))
        else:
            for i in range(16):
                peer.send(frame(BINARY if i == 0 else CONT, b"\x00" * MIB, fin=False))
            peer.send(frame(CONT, b"", length=bytes([1])))  # its one byte never sent
        peer.expect_close(1009)
    finally:
        peer.close()


# -- a browser -------------------------------------------------------------------------------

# The page talks to /echo, then writes what came back into the DOM. --dump-dom prints the DOM
# when --virtual-time-budget has run out; virtual time stands still while a fetch is pending but
# not while a WebSocket is open, so the page keeps one fetch in flight until the socket closes.
BROWSER_PAGE = """<!doctype html>
<meta charset="utf-8"><title>waiting</title>
<script>
const show = (id, text) => {
  const pre = document.createElement("pre");
  pre.id = id;
  pre.textContent = text;
  document.body.append(pre);
};
const sent = ["héllo wörld ☕", new Uint8Array([0, 1, 127, 128, 254, 255]).buffer,
              "☕ κόσμε teapot ".repeat(400)];
const got = [];
let over = false;
const ws = new WebSocket(`ws://${location.host}/echo`);
ws.binaryType = "arraybuffer";
ws.onopen = () => { show("extensions", ws.extensions); sent.forEach((m) => ws.send(m)); };
ws.onmessage = (e) => {
  got.push(e.data);
  if (got.length < sent.length) return;
  show("text", got[0]);
  show("binary", Array.from(new Uint8Array(got[1])).join(" "));
  show("long", got[2] === sent[2] ? "the same" : `${got[2].length} characters`);
  ws.close(1000, "done");
};
ws.onerror = () => show("error", "error");
ws.onclose = (e) => { show("close", `${e.code} ${e.wasClean}`); over = true; };
(async () => { while (!over) await fetch("/hold.txt", {cache: "no-store"}); })();
</script>
"""

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--virtual-time-budget=10000"]


def test_chromium_gets_its_text_and_binary_back_over_permessage_deflate(srv, tmp_path: Path):
    p = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         f"http://127.0.0.1:{srv.port}/ws.html"],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    dom = p.stdout.decode("utf-8")
    # Chromium offers "permessage-deflate; client_max_window_bits"; the answer names the
    # extension first (RFC 7692 §5), with whatever parameters the server chose.
    assert '<pre id="extensions">permessage-deflate' in dom, dom
    assert '<pre id="text">héllo wörld ☕</pre>' in dom, dom
    assert '<pre id="binary">0 1 127 128 254 255</pre>' in dom, dom
    assert '<pre id="long">the same</pre>' in dom, dom  # over 64 bytes: compressed both ways
    assert '<pre id="close">1000 true</pre>' in dom, dom
    assert 'id="error"' not in dom, dom
