"""One client for the integration tests over the three ways a request reaches teapot: HTTP/1.1
on a plain connection (h1), HTTP/2 with prior knowledge on a plain connection (h2c, RFC 9113
§3.3), and HTTP/2 over TLS chosen by ALPN (h2, RFC 7301).

A test that takes the `transport` fixture runs once for each (ids h1, h2c, h2): it starts its
server with what the transport needs (`Transport.configure` for a configuration file: h2c
turned on, or a TLS listener with the test certificate on every site), then asks through
`fetch(server, ...)` or `connect(server)`, and asserts the same status, fields and body bytes
whichever way the request went. What HTTP/2 has no place for is not compared: the fields
RFC 9113 §8.2.2 forbids (CONNECTION_SPECIFIC) and the reason phrase (§8.3.2; `reason_is`
checks it on h1 only). A test left on HTTP/1.1 says why in its docstring (or its module's).
The fixtures, `transport` and the session's test certificate, are conftest's.

The h1 server is the one the test always started; h2c and h2 ones are started from a
configuration file (`teapot serve DIR FLAGS...` has no h2c or TLS flag: `serve_flags_config`
writes the flags as the file's keys).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import START_TIMEOUT, free_port
from h2wire import H2Conn
from wire import Conn, chunked, request

TRANSPORTS = ("h1", "h2c", "h2")
# For a test whose fixtures take `transport` but that is about HTTP/1.1 itself (its docstring
# says why): it runs over h1 only.
h1_only = pytest.mark.parametrize("transport", ["h1"], indirect=True)
CONNECTION_SPECIFIC = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"})

# The names the test certificate covers: every authority a converted test sends, so that over
# TLS a request reaches the site its authority names (strict_hosts included), as over plain
# connections; a name outside the certificate gets 421 over TLS, which test_h2.py and
# test_tls.py prove.
CERT_NAMES = ("localhost", "127.0.0.1", "*.example.net", "example.net", "other.example",
              "localhost.evil", "portal.test", "maint.test", "rules.test", "elsewhere.test")


@dataclass
class Reply:
    """A final response (or one interim), the same shape for every transport."""

    transport: str
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)  # names in lower case
    body: bytes = b""
    interim: list["Reply"] = field(default_factory=list)  # the 1xx before it, in order
    reason: str | None = None  # h1 only: HTTP/2 has no reason phrase (RFC 9113 §8.3.2)
    trailers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first field of that name (case-insensitive), or None."""
        for n, v in self.headers:
            if n == name.lower():
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n == name.lower()]

    def has_token(self, name: str, token: str) -> bool:
        """Whether a list-valued field (Connection, Allow, Vary...) holds the token."""
        return any(t.strip().lower() == token.lower()
                   for v in self.header_all(name) for t in v.split(","))

    def reason_is(self, phrase: str) -> bool:
        """The status line's reason phrase is `phrase` on h1; HTTP/2 carries none."""
        return self.reason == phrase if self.transport == "h1" else self.reason is None

    def __repr__(self) -> str:  # short, for assertion messages
        return (f"<{self.transport} {self.status} {self.reason or ''} headers={self.headers!r} "
                f"interim={[i.status for i in self.interim]} body={self.body[:120]!r}"
                f"{'...' if len(self.body) > 120 else ''}>")


def _from_h1(res) -> Reply:
    return Reply("h1", res.status, [(n.lower(), v) for n, v in res.headers], res.body,
                 reason=res.reason, trailers=[(n.lower(), v) for n, v in res.trailers])


def _server_name(authority: str) -> str:
    """The SNI for an authority: its host when that is a DNS name, else localhost."""
    host = authority.rsplit(":", 1)[0] if not authority.endswith("]") else authority
    try:
        ipaddress.ip_address(host.strip("[]"))
        return "localhost"
    except ValueError:
        return host.lower()


class Client:
    """One connection to a server, by its transport; fetch() may be called again on it."""

    def __init__(self, server, *, server_name: str = "localhost", timeout: float = 10.0):
        self.transport = getattr(server, "transport", "h1")
        self.h1: Conn | None = None
        self.h2: H2Conn | None = None
        if self.transport == "h1":
            self.h1 = Conn(server.port, timeout=timeout)
            return
        if self.transport == "h2c":
            self.h2 = H2Conn.plain(server.port)
        else:
            self.h2 = H2Conn.tls(server.tls_port, server.cafile, server_name)
        self.h2.sock.settimeout(timeout)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        (self.h1 or self.h2).close()

    def fetch(self, method: str = "GET", target: str = "/", *,
              headers: list[tuple[str, str]] | None = None, body: bytes = b"",
              authority: str = "localhost", content_length: bool | None = None,
              chunked_body: bool = False, complete: bool = True,
              timeout: float | None = None) -> Reply:
        """Sends one request and reads its final response (the 1xx before it in `interim`).

        authority: Host on h1, :authority on HTTP/2. content_length: None adds the field when
        there is a body, as a client that knows the length does. chunked_body: the body in two
        pieces of a length said nowhere (h1: chunked; HTTP/2: DATA frames without
        content-length). complete False: the body (if any) is not ended, as a client still
        sending it, or waiting before it (an explicit Content-Length in headers says how much
        was promised)."""
        if self.h1 is not None:
            return self._fetch_h1(method, target, headers or [], body, authority,
                                  content_length, chunked_body, timeout)
        return self._fetch_h2(method, target, headers or [], body, authority, content_length,
                              chunked_body, complete)

    def _fetch_h1(self, method, target, headers, body, authority, content_length, chunked_body,
                  timeout) -> Reply:
        if chunked_body:
            half = len(body) // 2
            data = request(method, target, host=authority,
                           headers=headers + [("Transfer-Encoding", "chunked")])
            data += chunked(*[p for p in (body[:half], body[half:]) if p])
        else:
            data = request(method, target, host=authority, headers=headers, body=body,
                           content_length=content_length)
        self.h1.send(data)
        interims, final = self.h1.read_final_response(head=method == "HEAD", timeout=timeout)
        reply = _from_h1(final)
        reply.interim = [_from_h1(i) for i in interims]
        return reply

    def _fetch_h2(self, method, target, headers, body, authority, content_length, chunked_body,
                  complete) -> Reply:
        assert target.startswith("/") or target == "*", f"no such :path on HTTP/2: {target!r}"
        fields = [(n.lower(), v) for n, v in headers]
        assert not CONNECTION_SPECIFIC & {n for n, _ in fields}, f"not on HTTP/2: {fields!r}"
        if not chunked_body and (content_length or (content_length is None and body)):
            fields.append(("content-length", str(len(body))))
        conn = self.h2
        scheme = "https" if self.transport == "h2" else "http"
        sid = conn.request(method, target, authority=authority, headers=fields, scheme=scheme,
                           end=complete and not body)
        if body:
            half = len(body) // 2 if chunked_body else 0
            if half:
                conn.send_data(sid, body[:half], end=False)
            conn.send_data(sid, body[half:], end=complete)
        r = conn.response(sid)
        assert r.status, f"stream {sid} reset ({r.reset}) before any response"
        assert r.reset in (None, 0), f"stream {sid} reset with error {r.reset} after {r!r}"
        reply = Reply(self.transport, r.status, list(r.headers), r.body,
                      trailers=list(r.trailers))
        reply.interim = [Reply(self.transport, s, list(h)) for s, h in r.interim]
        return reply

    def closes_within(self, seconds: float) -> bytes:
        """h1: waits for the server to close (see wire.Conn.closes_within)."""
        assert self.h1 is not None, "HTTP/2 connections are not closed after one stream"
        return self.h1.closes_within(seconds)


def connect(server, *, server_name: str = "localhost", timeout: float = 10.0) -> Client:
    """A connection to `server` by its transport (its `transport` attribute; h1 without)."""
    return Client(server, server_name=server_name, timeout=timeout)


def fetch(server, method: str = "GET", target: str = "/", *, timeout: float = 10.0,
          **kw) -> Reply:
    """One request on a fresh connection (see Client.fetch for the keywords). Over TLS the
    client names the authority's host in SNI (localhost for an IP address)."""
    name = _server_name(kw.get("authority", "localhost"))
    with connect(server, server_name=name, timeout=timeout) as c:
        return c.fetch(method, target, timeout=timeout, **kw)


def authority(server, host: str = "127.0.0.1") -> str:
    """host:port of the listener the server's transport reaches."""
    port = server.tls_port if getattr(server, "transport", "h1") == "h2" else server.port
    return f"{host}:{port}"


def url(server, path: str, host: str = "127.0.0.1") -> str:
    """An absolute URL of path on the server as its transport reaches it (WebDAV's Destination
    and If tags name the request's own origin)."""
    scheme = "https" if getattr(server, "transport", "h1") == "h2" else "http"
    return f"{scheme}://{authority(server, host)}{path}"


# -- servers ----------------------------------------------------------------------------------


@dataclass
class Transport:
    """What the `transport` fixture gives a test: the name, and how a server is set up for it."""

    name: str
    cert: Path | None = None  # the test certificate's folder (cert.pem, key.pem); h2 only

    def configure(self, text: str) -> tuple[str, int]:
        """A configuration file's text with what this transport needs, and the TLS port it
        listens on (0: none). h1: unchanged; h2c: `h2c = true`; h2: a TLS listener, and the
        test certificate on every site (a site of its own keeps its [sites.tls])."""
        if self.name == "h1":
            return text, 0
        tls_port = free_port() if self.name == "h2" else 0
        keys = "h2c = true\n" if self.name == "h2c" else f'tls_listen = ["127.0.0.1:{tls_port}"]\n'
        if "[server]\n" in text:
            text = text.replace("[server]\n", "[server]\n" + keys, 1)
        else:
            text = "[server]\n" + keys + text
        if self.name == "h2":
            site_tls = (f'\n[sites.tls]\ncertificate = "{self.cert / "cert.pem"}"\n'
                        f'key = "{self.cert / "key.pem"}"\n')
            head, *sites = text.split("[[sites]]\n")
            text = head + "".join("[[sites]]\n" + s.rstrip("\n") + "\n"
                                  + ("" if "[sites.tls]" in s else site_tls) for s in sites)
        return text, tls_port

    def example_flags(self) -> tuple[list[str], int]:
        """The flags of an example program (examples/common/listen_args.h) for this transport,
        and the TLS port they name (0: none)."""
        if self.name == "h2c":
            return ["--h2c"], 0
        if self.name == "h2":
            tls_port = free_port()
            return ["--tls-listen", f"127.0.0.1:{tls_port}", "--certificate",
                    str(self.cert / "cert.pem"), "--key", str(self.cert / "key.pem")], tls_port
        return [], 0

    def attach(self, server, tls_port: int = 0):
        """Marks a started server as reached by this transport, once its TLS listener (bound
        after the plain one that told the server ready) accepts too; returns it."""
        deadline = time.monotonic() + START_TIMEOUT
        while tls_port:
            try:
                socket.create_connection(("127.0.0.1", tls_port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"nothing listens on TLS port {tls_port}"
                time.sleep(0.01)
        server.transport = self.name
        server.tls_port = tls_port
        server.cafile = str(self.cert / "cert.pem") if self.cert else ""
        return server


def serve_flags_config(root: Path, flags: tuple[str, ...]) -> str:
    """`teapot serve ROOT FLAGS...` as a configuration file: the flags that have a key. A flag
    without one fails the test (such a test stays on h1)."""
    server, static, cache, mime = [], [], [], []
    args = list(flags)
    while args:
        flag = args.pop(0)
        if flag == "--workers":
            server.append(f"workers = {int(args.pop(0))}")
        elif flag == "--listing":
            static.append("listing = true")
        elif flag == "--negotiation":
            static.append(f'negotiation = "{args.pop(0)}"')
        elif flag == "--cache-control":
            pattern, _, value = args.pop(0).partition("=")
            key = "glob" if "*" in pattern else "prefix"
            if pattern.startswith("*"):  # the file's patterns are paths: "*.css" is "/**.css"
                pattern = "/*" + pattern
            cache.append(f'[[sites.static.cache_control]]\n{key} = "{pattern}"\nvalue = "{value}"')
        elif flag == "--mime":
            ext, _, media_type = args.pop(0).partition("=")
            mime.append(f'{ext} = "{media_type}"')
        else:
            pytest.fail(f"{flag} has no configuration key: this test stays on h1")
    text = "[server]\n" + "".join(s + "\n" for s in server)
    text += f'[[sites]]\ndefault = true\nroot = "{root}"\n[sites.static]\n'
    text += "".join(s + "\n" for s in static)
    if mime:
        text += "[sites.static.mime_types]\n" + "".join(m + "\n" for m in mime)
    text += "".join(c + "\n" for c in cache)
    return text
