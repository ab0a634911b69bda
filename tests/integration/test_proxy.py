"""The reverse proxy ([[sites.proxy]]): requests below a prefix relayed to an upstream, the
upstream's status, fields and bytes passed on, and the proxy's own answers when the upstream
fails: 502 for a refused connection, garbage, a malformed field or a close before the head; 504
when the head does not come in time; a response cut short when its content stops or breaks.

The upstreams are written here: a real HTTP server (python's http.server) and small socket
servers that misbehave on purpose. Clients: curl and raw sockets.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, free_port, require
from h2wire import H2Conn
from socket_servers import ThreadedServer, read_head, socket_server
from wire import Conn, request


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Upstream.seen.append({"method": self.command, "path": self.path,
                              "headers": {k.lower(): v for k, v in self.headers.items()},
                              "body": body})
        if self.path.startswith("/api/status/"):
            code = int(self.path.rsplit("/", 1)[1])
            payload = f"upstream says {code}\n".encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.path.startswith("/api/big"):
            payload = bytes(range(256)) * 4096 * 4  # 4 MiB
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.path.startswith("/api/chunked"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"one ", b"two ", b"three"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            return
        payload = f"{self.command} {self.path} {len(body)}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "X-Upstream-Secret")
        self.send_header("X-Upstream-Secret", "hop by hop")
        self.send_header("X-Upstream", "end to end")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    # CONNECT too, so that one the proxy let through would be seen and answered 200.
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_CONNECT = do_OPTIONS = do_TRACE = _answer


def garbage(conn):
    read_head(conn)
    conn.sendall(b"this is not HTTP at all\r\n\r\n")
    conn.close()


def close_without_response(conn):
    read_head(conn)
    conn.close()


def malformed_field(conn):
    read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nBad Field: x\r\nContent-Length: 2\r\n\r\nhi")
    conn.close()


def silent(conn):
    read_head(conn)
    threading.Event().wait(30)
    conn.close()


def hints_first(conn):
    read_head(conn)
    conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                 b"HTTP/1.1 100 Continue\r\n\r\n"
                 b"HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    conn.close()


def cut_mid_body(conn):
    read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it")
    conn.close()


@pytest.fixture
def proxy(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    Upstream.seen = []
    good = ThreadedServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=good.serve_forever, daemon=True).start()
    bad = {name: socket_server(fn) for name, fn in {
        "garbage": garbage, "closed": close_without_response, "malformed": malformed_field,
        "silent": silent, "cut": cut_mid_body, "hints": hints_first}.items()}
    refused = free_port()  # nothing listens there
    # An upstream whose accept queue is full: Linux drops the SYNs that come then, so that a
    # connect neither succeeds nor fails until the proxy's connect_timeout.
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    filler = socket.create_connection(full.getsockname(), timeout=5)
    root = build_docroot(tmp_path / "www")
    routes = f'[[sites.proxy]]\nprefix = "/api/"\nupstreams = ["127.0.0.1:{good.server_port}"]\n'
    routes += f'[[sites.proxy]]\nprefix = "/refused/"\nupstreams = ["127.0.0.1:{refused}"]\n'
    for name, (port, _) in bad.items():
        routes += (f'[[sites.proxy]]\nprefix = "/{name}/"\nupstreams = ["127.0.0.1:{port}"]\n'
                   'response_timeout = "1s"\n')
    routes += (f'[[sites.proxy]]\nprefix = "/api2/"\nupstreams = ["127.0.0.1:{refused}", '
               f'"127.0.0.1:{good.server_port}"]\nfail_timeout = "60s"\n')
    dead = free_port()
    routes += (f'[[sites.proxy]]\nprefix = "/dead/"\nupstreams = ["127.0.0.1:{dead}"]\n'
               'fail_timeout = "60s"\n')
    routes += (f'[[sites.proxy]]\nprefix = "/full/"\nupstreams = ["127.0.0.1:{full.getsockname()[1]}"]\n'
               'connect_timeout = "1s"\n')
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      'h2c = true\n'
                      f'[[sites]]\nhosts = ["localhost"]\ndefault = true\nroot = "{root}"\n'
                      + routes)
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-proxy")
    yield server
    good.shutdown()
    for _, lsock in bad.values():
        lsock.close()
    filler.close()
    full.close()




def get(port: int, method: str, target: str, headers=None, body: bytes = b"", head=False):
    with Conn(port) as c:
        c.send(request(method, target, headers=headers or [], body=body))
        return c.read_final_response(head=head)[1]


def test_a_request_is_relayed_and_the_answer_comes_back_with_its_end_to_end_fields(proxy):
    r = get(proxy.port, "POST", "/api/echo?x=1", headers=[
        ("Connection", "X-Client-Secret"), ("X-Client-Secret", "hop"), ("X-Client", "e2e"),
        ("Proxy-Authorization", "Basic dXNlcjpzZWNyZXQ=")],
        body=b"hello upstream")
    assert r.status == 200, r
    assert r.body == b"POST /api/echo?x=1 14\n"
    assert r.header("X-Upstream") == "end to end"
    assert r.header("X-Upstream-Secret") is None  # named by the upstream's Connection
    seen = Upstream.seen[-1]
    assert seen["body"] == b"hello upstream"
    assert seen["headers"]["x-client"] == "e2e"
    assert "x-client-secret" not in seen["headers"]
    assert "proxy-authorization" not in seen["headers"]  # another proxy's credentials
    assert seen["headers"]["host"] == "localhost"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert seen["headers"]["via"] == "1.1 teapot"


def test_an_absolute_form_target_goes_to_the_upstream_in_origin_form(proxy):
    # RFC 9112 §3.2.2: absolute-form is for proxies; to the upstream the proxy is the client of
    # an origin server.
    r = get(proxy.port, "GET", "http://localhost/api/abs?q=1")
    assert (r.status, r.body) == (200, b"GET /api/abs?q=1 0\n"), r
    assert Upstream.seen[-1]["path"] == "/api/abs?q=1"


def test_with_an_absolute_form_target_the_upstream_gets_its_authority_as_host(proxy):
    # RFC 9112 §3.2.2: the received Host is ignored; the target's authority chose the site, and
    # is the host the upstream sees, so another Host cannot reach another of its virtual hosts.
    with Conn(proxy.port) as c:
        c.send(request("GET", "http://localhost/api/vhost", host="admin.internal"))
        r = c.read_final_response()[1]
    assert r.status == 200, r
    seen = Upstream.seen[-1]["headers"]
    assert seen["host"] == "localhost"
    assert seen["x-forwarded-host"] == "localhost"


@pytest.mark.parametrize("code", [201, 404, 418, 500, 503])
def test_the_upstreams_status_and_body_pass_unchanged(proxy, code):
    r = get(proxy.port, "GET", f"/api/status/{code}")
    assert r.status == code, r
    assert r.body == f"upstream says {code}\n".encode()


def test_a_head_gets_the_upstreams_content_length_and_no_content(proxy):
    r = get(proxy.port, "HEAD", "/api/thing", head=True)
    assert r.status == 200, r
    assert r.header("Content-Length") == str(len(b"HEAD /api/thing 0\n"))  # as it said
    assert r.body == b""


def test_chunked_and_large_contents_arrive_byte_exact(proxy):
    r = get(proxy.port, "GET", "/api/chunked")
    assert (r.status, r.body) == (200, b"one two three")
    p = subprocess.run(["curl", "-sS", "-o", "-", f"http://127.0.0.1:{proxy.port}/api/big"],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout == bytes(range(256)) * 4096 * 4


@pytest.mark.parametrize("prefix", ["refused", "garbage", "closed", "malformed"])
def test_an_upstream_that_fails_before_its_head_gets_502(proxy, prefix):
    r = get(proxy.port, "GET", f"/{prefix}/x")
    assert r.status == 502, r
    assert get(proxy.port, "GET", "/hello.txt").status == 200  # the proxy goes on


def test_a_refused_upstream_is_left_out_and_the_request_goes_to_the_next(proxy):
    # /api2/ has a refused upstream and a good one: every request is answered by the good one,
    # whichever the round robin gives first (none of the request went to the refused one).
    for i in range(4):
        r = get(proxy.port, "GET", f"/api2/try{i}")
        assert (r.status, r.body) == (200, f"GET /api2/try{i} 0\n".encode()), r
    assert proxy.logged("Connection refused")


def test_with_every_upstream_left_out_the_proxy_answers_503_with_retry_after(proxy):
    assert get(proxy.port, "GET", "/dead/x").status == 502  # refused: left out for 60 s
    r = get(proxy.port, "GET", "/dead/x")
    assert r.status == 503, r
    assert 1 <= int(r.header("Retry-After")) <= 60, r


def test_an_upstream_that_says_nothing_gets_504_after_its_response_timeout(proxy):
    r = get(proxy.port, "GET", "/silent/x")
    assert r.status == 504, r
    assert proxy.logged("proxy: no response head from the upstream in time")


def test_an_upstream_that_takes_no_connection_gets_504_after_connect_timeout(proxy):
    r = get(proxy.port, "GET", "/full/x")
    assert r.status == 504, r
    assert proxy.logged("proxy: no connection to the upstream in time")


def test_content_cut_by_the_upstream_is_cut_for_the_client_too(proxy):
    with Conn(proxy.port) as c:
        c.send(request("GET", "/cut/x"))
        data = c.closes_within(10)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), data
    assert b"\r\nContent-Length: 100\r\n" in head + b"\r\n", head
    assert body == b"only part of it"  # then the close: the client can tell it is incomplete


def test_the_upstreams_103s_are_relayed_in_order_and_its_100_is_not(proxy):
    with Conn(proxy.port) as c:
        c.send(request("GET", "/hints/page"))
        first = c.read_response()
        second = c.read_response()
        final = c.read_response()
    assert (first.status, first.header("Link")) == (103, "</style.css>; rel=preload"), first
    assert (second.status, second.header("Link")) == (103, "</app.js>; rel=preload"), second
    assert (final.status, final.body) == (200, b"ok"), final


@pytest.mark.parametrize("protocol", ["websocket", "connect-udp"])
def test_an_extended_connect_to_a_proxy_route_gets_501_and_never_reaches_the_upstream(
        proxy, protocol):
    # RFC 8441 §4: an extended CONNECT asks for :protocol on the stream; a proxy route starts
    # none, and relayed as "CONNECT /api/chat HTTP/1.1" it would ask the upstream for a tunnel.
    # RFC 9220 §3: a :protocol not supported there is 501.
    with H2Conn.plain(proxy.port) as c:
        while not c.settings_seen:
            c.read_some()
        sid = c.request("CONNECT", "/api/chat", headers=[(":protocol", protocol),
                                                         ("sec-websocket-version", "13")],
                        end=False)
        r = c.response(sid)
        assert r.status == 501, r
        assert c.get("/api/after").status == 200  # the connection goes on
    assert [s["method"] for s in Upstream.seen] == ["GET"]


def test_a_relayed_response_of_a_known_length_arrives_whole_over_http_2(proxy):
    # The upstream's Content-Length is the stream's content-length, and every byte of it comes
    # (RFC 9113 §8.1.1).
    with H2Conn.plain(proxy.port) as c:
        r = c.get("/api/known")
        assert (r.status, r.header("content-length"), r.body) == (
            200, "17", b"GET /api/known 0\n"), r
        r = c.get("/api/big")
        assert r.status == 200 and r.body == bytes(range(256)) * 4096 * 4, r.status


# What the server's methods list holds but CONNECT (never relayed) and TRACE (not answered here).
PROXY_ALLOW = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH"


@pytest.mark.parametrize("method, status", [("OPTIONS", 204), ("TRACE", 405)])
def test_max_forwards_0_is_answered_by_the_proxy_and_never_reaches_the_upstream(
        proxy, method, status):
    # RFC 9110 §7.6.2: the intermediary "MUST NOT forward the request" and answers as the final
    # recipient: OPTIONS as the server answers it for a file, TRACE as where no route takes it.
    r = get(proxy.port, method, "/api/mf", headers=[("Max-Forwards", "0")])
    assert (r.status, r.header("Allow")) == (status, PROXY_ALLOW), r
    assert Upstream.seen == []


@pytest.mark.parametrize("method, received, sent", [
    ("OPTIONS", "1", "0"), ("TRACE", "5", "4"), ("GET", "0", "0"), ("DELETE", "3", "3")])
def test_max_forwards_of_trace_and_options_goes_one_less_and_of_others_unchanged(
        proxy, method, received, sent):
    r = get(proxy.port, method, "/api/mf", headers=[("Max-Forwards", received)])
    assert r.status == 200, r
    assert Upstream.seen[-1]["method"] == method
    assert Upstream.seen[-1]["headers"]["max-forwards"] == sent


def test_a_received_via_is_appended_to_with_the_version_the_proxy_received(proxy):
    # RFC 9110 §7.6.3: each proxy appends its entry, received-protocol first, to the list.
    get(proxy.port, "GET", "/api/via", headers=[("Via", "1.0 fred, 1.1 p.example")])
    assert Upstream.seen[-1]["headers"]["via"] == "1.0 fred, 1.1 p.example, 1.1 teapot"
    with Conn(proxy.port) as c:
        c.send(b"GET /api/via HTTP/1.0\r\nHost: localhost\r\n\r\n")
        assert c.read_response().status == 200
    assert Upstream.seen[-1]["headers"]["via"] == "1.0 teapot"
    with H2Conn.plain(proxy.port) as c:
        assert c.get("/api/via", headers=[("via", "1.1 edge")]).status == 200
    assert Upstream.seen[-1]["headers"]["via"] == "1.1 edge, 2 teapot"
