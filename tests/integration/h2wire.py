"""HTTP/2 over a socket for tests, with python3-h2 (Debian) as the client codec: h2c with prior
knowledge, or h2 over TLS chosen by ALPN. Every frame the server sends is kept per stream
(interim heads, the final head, data, trailers, resets), so that a test asserts what came on
the wire. Nothing is lenient: a malformed frame from the server raises in the codec.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings


@dataclass
class H2Response:
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    interim: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)
    body: bytes = b""
    trailers: list[tuple[str, str]] = field(default_factory=list)
    reset: int | None = None  # the error code of a RST_STREAM from the server
    ended: bool = False

    def header(self, name: str) -> str | None:
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def __repr__(self) -> str:
        return (f"<h2 {self.status} headers={self.headers!r} interim={self.interim!r} "
                f"body={self.body[:120]!r} reset={self.reset}>")


class H2Conn:
    """One HTTP/2 connection. sock: a connected socket (plain or TLS with "h2" selected)."""

    def __init__(self, sock: socket.socket, timeout: float = 10):
        sock.settimeout(timeout)
        # Frames go out as they are made: with Nagle, a DATA frame that waits for the ACK of the
        # last one meets the server's delayed ACK, 40 ms a window.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                             validate_inbound_headers=True))
        self.conn.initiate_connection()
        # A window that lets large responses through without a WINDOW_UPDATE per frame.
        self.conn.increment_flow_control_window(16 * 1024 * 1024)
        self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 16 * 1024 * 1024})
        self.responses: dict[int, H2Response] = {}
        self.goaway: h2.events.ConnectionTerminated | None = None
        self.closed = False
        self.settings_seen = False  # the server's SETTINGS frame has come
        self.flush()

    @classmethod
    def plain(cls, port: int, host: str = "127.0.0.1") -> "H2Conn":
        return cls(socket.create_connection((host, port), timeout=10))

    @classmethod
    def tls(cls, port: int, cafile: str, server_name: str = "localhost") -> "H2Conn":
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        s = ctx.wrap_socket(raw, server_hostname=server_name)
        assert s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol()
        return cls(s)

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, method: str, path: str, authority: str = "localhost",
                headers: list[tuple[str, str]] | None = None, body: bytes | None = None,
                scheme: str = "http", end: bool = True) -> int:
        """Sends a request on a new stream; body None or b"" with end: no content."""
        sid = self.conn.get_next_available_stream_id()
        head = [(":method", method), (":path", path), (":scheme", scheme),
                (":authority", authority)] + (headers or [])
        self.responses[sid] = H2Response()
        self.conn.send_headers(sid, head, end_stream=end and not body)
        if body:
            self.send_data(sid, body, end=end)
        self.flush()
        return sid

    def send_data(self, sid: int, data: bytes, end: bool = True) -> None:
        # Frames of at most the peer's max frame size, within its windows (waited for); the
        # rest is not sent once the server has answered and reset the stream.
        r = self.responses[sid]
        while data:
            window = self.conn.local_flow_control_window(sid)
            while window == 0:
                self.read_some()
                if r.reset is not None:
                    return
                window = self.conn.local_flow_control_window(sid)
            n = min(len(data), window, self.conn.max_outbound_frame_size)
            self.conn.send_data(sid, data[:n], end_stream=end and n == len(data))
            data = data[n:]
            self.flush()

    def end_stream(self, sid: int) -> None:
        self.conn.end_stream(sid)
        self.flush()

    def read_some(self) -> None:
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        if not data:
            self.closed = True
            raise EOFError("the server closed the connection")
        for ev in self.conn.receive_data(data):
            self._on(ev)
        self.flush()

    def _on(self, ev) -> None:
        if isinstance(ev, h2.events.ResponseReceived):
            r = self.responses[ev.stream_id]
            r.headers = [(n, v) for n, v in ev.headers if n != ":status"]
            r.status = int(dict(ev.headers)[":status"])
        elif isinstance(ev, h2.events.InformationalResponseReceived):
            self.responses[ev.stream_id].interim.append(
                (int(dict(ev.headers)[":status"]),
                 [(n, v) for n, v in ev.headers if n != ":status"]))
        elif isinstance(ev, h2.events.DataReceived):
            self.responses[ev.stream_id].body += ev.data
            self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.TrailersReceived):
            self.responses[ev.stream_id].trailers = list(ev.headers)
        elif isinstance(ev, h2.events.StreamEnded):
            self.responses[ev.stream_id].ended = True
        elif isinstance(ev, h2.events.StreamReset):
            if ev.stream_id in self.responses:
                self.responses[ev.stream_id].reset = int(ev.error_code)
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.goaway = ev
        elif isinstance(ev, h2.events.RemoteSettingsChanged):
            self.settings_seen = True

    def response(self, sid: int) -> H2Response:
        """Reads until the stream has its whole response (or a reset)."""
        r = self.responses[sid]
        while not r.ended and r.reset is None:
            if self.goaway is not None and sid > self.goaway.last_stream_id:
                raise AssertionError(f"GOAWAY before stream {sid}: {self.goaway}")
            self.read_some()
        return r

    def get(self, path: str, **kw) -> H2Response:
        return self.response(self.request("GET", path, **kw))

    def close(self) -> None:
        try:
            self.conn.close_connection()
            self.flush()
        except (OSError, h2.exceptions.ProtocolError):
            pass
        self.sock.close()

    def __enter__(self) -> "H2Conn":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
