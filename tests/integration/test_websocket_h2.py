"""WebSocket over HTTP/2 (RFC 8441): the server announces SETTINGS_ENABLE_CONNECT_PROTOCOL, an
extended CONNECT (:protocol websocket) on a [[sites.websocket]] route gets 200 and its stream's
DATA frames carry the WebSocket's frames both ways; what else such a route answers over HTTP/2
(405 with Allow: CONNECT for a GET, 501 for another :protocol); and the idle timeout of
WebSocket sessions (a Ping, then Close 1001), over HTTP/1.1 and HTTP/2.

Clients: python3-h2 (through h2wire.py) with frames written by ws_frames.py, h2c with prior
knowledge and h2 over TLS; headless Chromium, which opens a WebSocket on the HTTP/2 connection
of an https origin that announces the setting.
"""

from __future__ import annotations

import signal
import socket
import struct
import subprocess
import time
import zlib
from pathlib import Path

import h2.settings
import hyperframe.frame
import pytest

from conftest import TEAPOT_BIN, build_docroot, chromium, dev_certificates, free_port, require
from h2wire import H2Conn, H2Response
from test_h2 import spki_hash
from test_websocket import handshake_request
from ws_frames import BINARY, CLOSE, CONT, PING, PONG, TEXT, frame

IDLE_MS = 300


class Server:
    def __init__(self, server, tls_port: int, cafile: Path, log: Path, root: Path):
        self.server = server
        self.port = server.port
        self.tls_port = tls_port
        self.cafile = cafile
        self.log = log
        self.root = root

    def connect(self, kind: str) -> H2Conn:
        if kind == "h2c":
            return H2Conn.plain(self.port)
        return H2Conn.tls(self.tls_port, str(self.cafile), "localhost")

    def wait_for_log(self, text: str) -> str:
        deadline = time.monotonic() + 10
        log = ""
        while time.monotonic() < deadline:
            log = self.log.read_text() if self.log.exists() else ""
            if text in log:
                break
            time.sleep(0.02)
        return log


@pytest.fixture
def srv(start_server, tmp_path: Path) -> Server:
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "www")
    certs = dev_certificates(tmp_path, ("localhost",))
    tls_port = free_port()
    log = tmp_path / "access.log"
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
        'workers = 2\nh2c = true\ndrain_timeout = "5s"\n'
        f'[access_log]\nformat = "combined"\npath = "{log}"\n'
        f'[[sites]]\nhosts = ["localhost"]\ndefault = true\nroot = "{root}"\n'
        '[sites.tls]\ncertificate = "localhost/cert.pem"\nkey = "localhost/key.pem"\n'
        '[[sites.websocket]]\npath = "/echo"\n'
        '[[sites.websocket]]\npath = "/chat"\nsubprotocols = ["chat.v2", "chat.v1"]\n'
        'permessage_deflate = false\n'
        f'[[sites.websocket]]\npath = "/idle"\nidle_timeout = "{IDLE_MS}ms"\n')
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-ws-h2")
    return Server(server, tls_port, certs["localhost"] / "cert.pem", log, root)


@pytest.fixture(params=["h2c", "h2"])
def conn(request, srv):
    c = srv.connect(request.param)
    c.scheme = "http" if request.param == "h2c" else "https"
    yield c
    c.close()


class WsStream:
    """One extended CONNECT: its response head, then frames out as given and frames in as
    (opcode, payload, rsv1), parsed from the stream's DATA."""

    def __init__(self, c: H2Conn, path: str = "/echo", protocol: str = "websocket",
                 headers: list[tuple[str, str]] | None = None,
                 method: str = "CONNECT"):
        self.c = c
        while not c.settings_seen:
            c.read_some()
        fields = [(":protocol", protocol)] if protocol else []
        fields += headers if headers is not None else [("sec-websocket-version", "13")]
        self.sid = c.request(method, path, headers=fields, scheme=getattr(c, "scheme", "http"),
                             end=method != "CONNECT")
        self.r: H2Response = c.responses[self.sid]
        self.at = 0
        while self.r.status == 0 and self.r.reset is None:
            c.read_some()

    def send(self, data: bytes) -> None:
        self.c.send_data(self.sid, data, end=False)

    def read_frame(self) -> tuple[int, bytes, bool]:
        while True:
            parsed = self._parse()
            if parsed is not None:
                return parsed
            assert not self.r.ended and self.r.reset is None, "the stream ended mid-frame"
            self.c.read_some()

    def _parse(self):
        b = self.r.body[self.at:]
        if len(b) < 2:
            return None
        assert b[1] & 0x80 == 0, "a server frame must not be masked"
        n, at = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        if len(b) < at + n:
            return None
        self.at += at + n
        return b[0] & 0x0F, b[at:at + n], bool(b[0] & 0x40)

    def read_close(self) -> tuple[int, bytes]:
        while True:
            op, payload, _ = self.read_frame()
            if op == CLOSE:
                return struct.unpack("!H", payload[:2])[0], payload[2:]

    def wait_end(self) -> None:
        """The server's END_STREAM after its last frame."""
        while not self.r.ended and self.r.reset is None:
            self.c.read_some()
        assert self.r.ended, self.r
        assert self.at == len(self.r.body), "nothing after the Close"


def test_the_server_announces_extended_connect_and_the_websocket_opens_with_200(conn):
    ws = WsStream(conn)
    assert conn.conn.remote_settings[h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL] == 1
    assert ws.r.status == 200, ws.r
    # RFC 8441 §5: no Sec-WebSocket-Accept; RFC 9110 §8.6: no content-length in a 2xx to CONNECT.
    names = [n for n, _ in ws.r.headers]
    assert "sec-websocket-accept" not in names and "content-length" not in names, ws.r.headers
    assert not ws.r.ended


def test_text_binary_and_fragmented_messages_come_back_on_the_stream(conn, srv):
    ws = WsStream(conn)
    ws.send(frame(TEXT, "héllo".encode()))
    assert ws.read_frame() == (TEXT, "héllo".encode(), False)
    ws.send(frame(BINARY, bytes(range(256))))
    assert ws.read_frame() == (BINARY, bytes(range(256)), False)
    # Fragments with a Ping between them: the Pong first, then the message whole.
    ws.send(frame(TEXT, b"frag", fin=False) + frame(PING, b"p") + frame(CONT, b"ments"))
    assert ws.read_frame() == (PONG, b"p", False)
    assert ws.read_frame() == (TEXT, b"fragments", False)
    # Larger than the stream's initial window (65,535): the server reopens it as it reads.
    big = bytes(range(256)) * 2048
    ws.send(frame(BINARY, big))
    assert ws.read_frame() == (BINARY, big, False)
    ws.send(frame(CLOSE, struct.pack("!H", 1000)))
    assert ws.read_close() == (1000, b"")
    ws.wait_end()
    # The connection goes on: another stream, another WebSocket.
    again = WsStream(conn)
    again.send(frame(TEXT, b"again"))
    assert again.read_frame() == (TEXT, b"again", False)
    log = srv.wait_for_log('"CONNECT /echo HTTP/2.0" 200')
    assert '"CONNECT /echo HTTP/2.0" 200' in log, log


def test_two_websockets_share_one_connection(conn):
    a, b = WsStream(conn), WsStream(conn)
    b.send(frame(TEXT, b"to b"))
    a.send(frame(TEXT, b"to a"))
    assert a.read_frame() == (TEXT, b"to a", False)
    assert b.read_frame() == (TEXT, b"to b", False)


def test_subprotocol_and_permessage_deflate_are_negotiated_as_over_http_1_1(conn):
    chat = WsStream(conn, "/chat", headers=[("sec-websocket-version", "13"),
                                            ("sec-websocket-protocol", "chat.v1, chat.v2")])
    assert chat.r.status == 200 and chat.r.header("sec-websocket-protocol") == "chat.v2"
    ws = WsStream(conn, headers=[("sec-websocket-version", "13"),
                                 ("sec-websocket-extensions", "permessage-deflate")])
    assert ws.r.header("sec-websocket-extensions") == "permessage-deflate", ws.r.headers
    text = b"compressed both ways, " * 20
    co = zlib.compressobj(wbits=-15)
    ws.send(frame(TEXT, (co.compress(text) + co.flush(zlib.Z_SYNC_FLUSH))[:-4], rsv=4))
    op, payload, rsv1 = ws.read_frame()
    assert op == TEXT and rsv1
    assert zlib.decompressobj(wbits=-15).decompress(payload + b"\x00\x00\xff\xff") == text


def test_a_frame_that_breaks_the_protocol_is_answered_1002_and_the_stream_ends(conn):
    ws = WsStream(conn)
    ws.send(frame(TEXT, b"unmasked", mask=False))
    assert ws.read_close()[0] == 1002
    ws.wait_end()


def test_a_client_that_resets_the_stream_leaves_the_connection_usable(conn):
    ws = WsStream(conn)
    conn.conn.reset_stream(ws.sid)
    conn.flush()
    again = WsStream(conn)
    again.send(frame(TEXT, b"still here"))
    assert again.read_frame() == (TEXT, b"still here", False)


def test_another_protocol_gets_501_and_a_file_405(conn):
    assert WsStream(conn, protocol="chat").r.status == 501
    # A resource that is no WebSocket route: its methods, as for any method it does not take.
    r = WsStream(conn, "/hello.txt").r
    assert (r.status, r.header("allow")) == (405, "GET, HEAD, OPTIONS")


def test_a_get_of_a_websocket_route_over_h2_gets_405_with_allow_connect(conn):
    # RFC 9113 §8.6: HTTP/2 has no Upgrade, so a 426 could not say how to upgrade.
    r = WsStream(conn, protocol="", method="GET").r
    assert (r.status, r.header("allow")) == (405, "CONNECT"), r
    assert r.header("upgrade") is None


def test_another_version_gets_426_with_the_version_and_no_upgrade_field(conn):
    r = WsStream(conn, headers=[("sec-websocket-version", "8")]).r
    assert (r.status, r.header("sec-websocket-version")) == (426, "13"), r
    assert r.header("upgrade") is None and r.header("connection") is None


def test_a_graceful_stop_sends_close_1001_on_the_stream(srv):
    c = srv.connect("h2c")
    ws = WsStream(c)
    ws.send(frame(TEXT, b"before"))
    assert ws.read_frame() == (TEXT, b"before", False)
    srv.server.proc.send_signal(signal.SIGTERM)
    # python3-h2 takes nothing after a GOAWAY, which comes first (RFC 9113 §6.8): the frames
    # are read as they come, until the server closes.
    raw = b""
    while chunk := c.sock.recv(65536):
        raw += chunk
    buf, frames = memoryview(raw), []
    while len(buf) >= 9:
        f, length = hyperframe.frame.Frame.parse_frame_header(buf[:9])
        f.parse_body(buf[9:9 + length])
        frames.append(f)
        buf = buf[9 + length:]
    data = [f for f in frames if isinstance(f, hyperframe.frame.DataFrame) and f.stream_id == ws.sid]
    assert b"".join(f.data for f in data) == bytes([0x88, 2]) + struct.pack("!H", 1001), frames
    assert "END_STREAM" in data[-1].flags
    c.sock.close()
    assert srv.server.wait(10) == 0, "the drain ends once the WebSocket has"


# -- the idle timeout ---------------------------------------------------------------------------

def raw_h1(port: int, path: str) -> tuple[socket.socket, list[bytes]]:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(handshake_request(path))
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        assert chunk
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 101 "), head
    return s, [rest]


def h1_frame(s: socket.socket, buf: list[bytes]) -> tuple[int, bytes]:
    def need(n: int) -> bytes:
        while len(buf[0]) < n:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError("closed")
            buf[0] += chunk
        out, buf[0] = buf[0][:n], buf[0][n:]
        return out
    b0, b1 = need(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", need(2))[0]
    return b0 & 0x0F, need(n)


def test_a_silent_http_1_1_client_is_pinged_then_closed_with_1001(srv):
    s, buf = raw_h1(srv.port, "/idle")
    opened = time.monotonic()
    assert h1_frame(s, buf) == (PING, b"")
    pinged = time.monotonic()
    assert pinged - opened >= IDLE_MS / 1000 * 0.9
    op, payload = h1_frame(s, buf)
    assert op == CLOSE and payload == struct.pack("!H", 1001) + b"idle timeout", payload
    assert time.monotonic() - pinged >= IDLE_MS / 1000 * 0.9
    assert s.recv(100) == b"", "the server closes the TCP connection after its Close"
    s.close()


def test_an_http_1_1_client_that_answers_pings_stays_open(srv):
    s, buf = raw_h1(srv.port, "/idle")
    # Three idle periods, each ended by the Pong: the server pings again, never closes.
    for _ in range(3):
        assert h1_frame(s, buf) == (PING, b"")
        s.sendall(frame(PONG, b""))
    s.sendall(frame(TEXT, b"alive"))
    assert h1_frame(s, buf) == (TEXT, b"alive")
    s.close()


def test_messages_keep_a_websocket_from_being_pinged(srv):
    s, buf = raw_h1(srv.port, "/idle")
    started = time.monotonic()
    # A message every third of the timeout, for twice the timeout: only echoes come back.
    while time.monotonic() - started < 2 * IDLE_MS / 1000:
        s.sendall(frame(TEXT, b"tick"))
        assert h1_frame(s, buf) == (TEXT, b"tick")
        time.sleep(IDLE_MS / 3000)  # the client's pace, not a synchronization
    # Then silence: the Ping comes.
    assert h1_frame(s, buf) == (PING, b"")
    s.close()


def test_a_silent_client_over_h2_is_pinged_then_closed_with_1001_and_the_stream_ends(conn):
    ws = WsStream(conn, "/idle")
    assert ws.read_frame() == (PING, b"", False)
    assert ws.read_close() == (1001, b"idle timeout")
    ws.wait_end()


def test_an_h2_client_that_answers_pings_stays_open(conn):
    ws = WsStream(conn, "/idle")
    for _ in range(3):
        assert ws.read_frame() == (PING, b"", False)
        ws.send(frame(PONG, b""))
    ws.send(frame(TEXT, b"alive"))
    assert ws.read_frame() == (TEXT, b"alive", False)


# -- a browser ------------------------------------------------------------------------------------

PAGE = """<!doctype html><meta charset="utf-8"><title>ws</title><p id="out">waiting</p>
<script>
const ws = new WebSocket("wss://" + location.host + "/echo");
ws.onopen = () => ws.send("hello over h2");
ws.onmessage = (e) => { document.getElementById("out").textContent = "echo: " + e.data; ws.close(); };
ws.onerror = () => { document.getElementById("out").textContent = "error"; };
</script>
"""


def test_chromium_opens_its_websocket_on_the_h2_connection(srv, tmp_path):
    (srv.root / "ws.html").write_text(PAGE)
    origin = f"https://localhost:{srv.tls_port}"
    p = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--ignore-certificate-errors-spki-list={spki_hash(srv.cafile)}",
         "--host-resolver-rules=MAP localhost 127.0.0.1", f"--user-data-dir={tmp_path / 'p'}",
         "--virtual-time-budget=5000", "--dump-dom", f"{origin}/ws.html"],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    assert "echo: hello over h2" in p.stdout.decode(), p.stdout.decode()[-2000:]
    # The page and the WebSocket came over HTTP/2: no GET with Upgrade on HTTP/1.1.
    log = srv.wait_for_log('"CONNECT /echo HTTP/2.0" 200')
    assert '"GET /ws.html HTTP/2.0" 200' in log, log
    assert '"CONNECT /echo HTTP/2.0" 200' in log, log
    assert "GET /echo" not in log, log
