"""Raw HTTP/1.1 over a socket: send exact bytes, read responses, notice EOF.

Nothing here is lenient on purpose: a response that does not parse raises WireError, so that a
test fails on a malformed answer instead of guessing.
"""

from __future__ import annotations

import re
import select
import socket
import time
from dataclasses import dataclass, field


class WireError(AssertionError):
    """The bytes on the wire are not what HTTP/1.1 allows (or nothing came in time)."""


@dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    raw_head: bytes = b""
    trailers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first field of that name (case-insensitive), or None."""
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def has_token(self, name: str, token: str) -> bool:
        """Whether a list-valued field (Connection, Allow...) holds the token."""
        return any(
            t.strip().lower() == token.lower() for v in self.header_all(name) for t in v.split(",")
        )

    def __repr__(self) -> str:  # short, for assertion messages
        return (
            f"<{self.status} {self.reason!r} headers={self.headers!r} "
            f"body={self.body[:120]!r}{'...' if len(self.body) > 120 else ''}>"
        )


_STATUS_LINE = re.compile(rb"^(HTTP/\d\.\d) (\d{3}) ([^\r\n]*)$")


class Conn:
    """One client connection with its own receive buffer."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        timeout: float = 5.0,
        *,
        source: str | None = None,
        rcvbuf: int | None = None,
    ):
        """source: the local address to connect from (any of 127.0.0.0/8 reaches a loopback
        server, so that one machine can be several clients); rcvbuf: SO_RCVBUF, set before
        connecting so that the kernel does not grow it (a client that stops reading then
        stops the server's writes after a few KiB)."""
        if source is None and rcvbuf is None:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if rcvbuf is not None:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            if source is not None:
                self.sock.bind((source, 0))
            self.sock.settimeout(timeout)
            self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.timeout = timeout

    def __enter__(self) -> "Conn":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def shutdown_write(self) -> None:
        self.sock.shutdown(socket.SHUT_WR)

    # -- receiving ------------------------------------------------------------------------

    def _fill(self, deadline: float) -> bool:
        """Reads more bytes into buf. False on EOF; raises WireError past the deadline."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise WireError(f"timed out waiting for data; received so far: {self.buf[:300]!r}")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise WireError(
                f"timed out waiting for data; received so far: {self.buf[:300]!r}"
            ) from None
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _take_until(self, marker: bytes, deadline: float, what: str) -> bytes:
        while True:
            i = self.buf.find(marker)
            if i >= 0:
                out, self.buf = self.buf[: i + len(marker)], self.buf[i + len(marker) :]
                return out
            if not self._fill(deadline):
                raise WireError(f"EOF before the end of {what}; received: {self.buf[:300]!r}")

    def _take(self, n: int, deadline: float, what: str) -> bytes:
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise WireError(
                    f"EOF in {what}: wanted {n} bytes, got {len(self.buf)}: {self.buf[:200]!r}"
                )
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self, *, head: bool = False, timeout: float | None = None) -> Response:
        """Reads one response (a 1xx counts as one). head=True: the request was HEAD."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        raw_head = self._take_until(b"\r\n\r\n", deadline, "a response head")
        lines = raw_head[:-4].split(b"\r\n")
        m = _STATUS_LINE.match(lines[0])
        if not m:
            raise WireError(f"bad status line {lines[0]!r}")
        res = Response(
            version=m.group(1).decode(),
            status=int(m.group(2)),
            reason=m.group(3).decode("latin-1"),
            raw_head=raw_head,
        )
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise WireError(f"bad field line {line!r} in {raw_head!r}")
            res.headers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
        res.body = self._read_body(res, head, deadline)
        return res

    def _read_body(self, res: Response, head: bool, deadline: float) -> bytes:
        if head or 100 <= res.status < 200 or res.status in (204, 304):
            return b""
        te = res.header("Transfer-Encoding")
        if te is not None:
            if te.strip().lower() != "chunked":
                raise WireError(f"unexpected Transfer-Encoding {te!r}")
            return self._read_chunked(deadline, res)
        lengths = res.header_all("Content-Length")
        if lengths:
            if len(set(lengths)) != 1 or not lengths[0].isdigit():
                raise WireError(f"bad Content-Length {lengths!r}")
            return self._take(int(lengths[0]), deadline, "a Content-Length body")
        # Delimited by close.
        while self._fill(deadline):
            pass
        out, self.buf = self.buf, b""
        return out

    def _read_chunked(self, deadline: float, res: Response) -> bytes:
        body = b""
        while True:
            line = self._take_until(b"\r\n", deadline, "a chunk size line")
            size = int(line[:-2].split(b";")[0], 16)
            if size == 0:
                while (t := self._take_until(b"\r\n", deadline, "the trailer section")) != b"\r\n":
                    name, _, value = t[:-2].partition(b":")
                    res.trailers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
                return body
            body += self._take(size, deadline, "chunk data")
            if self._take(2, deadline, "a chunk's CRLF") != b"\r\n":
                raise WireError("chunk data not followed by CRLF")

    def read_final_response(self, *, head: bool = False, timeout: float | None = None):
        """Skips 1xx responses; returns (interims, final)."""
        interims = []
        while True:
            res = self.read_response(head=head, timeout=timeout)
            if 100 <= res.status < 200:
                interims.append(res)
                continue
            return interims, res

    def has_data(self) -> bool:
        """Whether bytes (or EOF) are waiting to be read, without waiting for any."""
        if self.buf or self.eof:
            return True
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def receive_until(self, marker: bytes, timeout: float | None = None) -> None:
        """Reads until marker is among the bytes received, leaving them all unparsed (a later
        read_response starts from the first); raises WireError on EOF or past the timeout."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while marker not in self.buf:
            if not self._fill(deadline):
                raise WireError(f"EOF before {marker!r}; received: {self.buf[:300]!r}")

    def closes_within(self, seconds: float) -> bytes:
        """Waits for EOF. Returns the bytes (beyond what was parsed) received before it;
        raises WireError when the connection is still open after `seconds`."""
        deadline = time.monotonic() + seconds
        while self._fill(deadline):
            pass
        out, self.buf = self.buf, b""
        return out

    def collect(self, seconds: float) -> bytes:
        """Everything (beyond what was parsed) that arrives within `seconds` or before EOF."""
        deadline = time.monotonic() + seconds
        try:
            while self._fill(deadline):
                pass
        except WireError:
            pass  # the window ended with the connection still open
        out, self.buf = self.buf, b""
        return out

    def stays_open_for(self, seconds: float) -> bool:
        """True when nothing arrives and the connection stays open for `seconds`."""
        if self.buf or self.eof:
            return False
        self.sock.settimeout(seconds)
        try:
            chunk = self.sock.recv(1)
        except socket.timeout:
            return True
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
        self.buf += chunk
        return False


def request(
    method: str = "GET",
    target: str = "/",
    *,
    host: str | None = "localhost",
    version: str = "HTTP/1.1",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    content_length: bool | None = None,
) -> bytes:
    """Builds request bytes. content_length None: added when there is a body."""
    lines = [f"{method} {target} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    for n, v in headers or []:
        lines.append(f"{n}: {v}")
    if content_length or (content_length is None and body):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(port: int, data: bytes | str, *, head: bool = False, timeout: float = 5.0) -> Response:
    """Sends data on a fresh connection and reads one final response."""
    with Conn(port, timeout=timeout) as c:
        c.send(data)
        return c.read_final_response(head=head)[1]


def chunked(*parts: bytes) -> bytes:
    """A chunked body of the given chunks and the last-chunk."""
    out = b""
    for p in parts:
        out += b"%x\r\n" % len(p) + p + b"\r\n"
    return out + b"0\r\n\r\n"


def served_once_a_place_is_free(
    port: int, target: str, *, source: str | None = None, seconds: float = 5.0
) -> Response:
    """Asks for target on fresh connections until one is served (200) instead of refused
    (503): a place freed by a client's close is taken up when the server sees the close, on its
    own time. Fails on any other status, or when no place comes free in time."""
    deadline = time.monotonic() + seconds
    while True:
        with Conn(port, source=source) as again:
            again.send(request("GET", target))
            r = again.read_response(timeout=5)
            if r.status == 200:
                return r
            assert r.status == 503, r
        assert time.monotonic() < deadline, "the freed place was not taken again"
        time.sleep(0.05)
