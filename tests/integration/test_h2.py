"""HTTP/2 (RFC 9113) on the same pipeline as HTTP/1.1: `teapot serve --config` with a plain
listener (h2c with prior knowledge, RFC 9113 §3.3) and a TLS one (h2 by ALPN, RFC 7301), two
sites each with its certificate, a WebDAV area for uploads that stream.

Clients: python3-h2 (frames asserted one by one, h2wire.py), curl --http2 and
--http2-prior-knowledge, nghttp. What each test asserts is what HTTP/1.1 answers to the same
request (status, fields, body bytes), less the connection-specific fields.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
import subprocess
import time
from pathlib import Path

import h2.config
import h2.connection
import h2.settings
import pytest

from conftest import (SITE, TEAPOT_BIN, build_docroot, chromium, dev_certificates, free_port,
                      pattern, require)
from h2wire import H2Conn, H2Response
from wire import Conn, request

BIG = 3 * 1024 * 1024 + 17
BODY_MAX = 64 * 1024
UPLOAD_MAX = 8 * 1024 * 1024


class H2Server:
    def __init__(self, server, tls_port: int, certs: dict[str, Path], root: Path, log: Path):
        self.server = server
        self.port = server.port
        self.tls_port = tls_port
        self.certs = certs
        self.root = root
        self.log = log

    def cafile(self, host: str = "localhost") -> str:
        return str(self.certs[host] / "cert.pem")

    def h2c(self) -> H2Conn:
        return H2Conn.plain(self.port)

    def h2(self, name: str = "localhost") -> H2Conn:
        return H2Conn.tls(self.tls_port, self.cafile(name), name)

    def curl(self, *args: str, path: str = "/hello.txt", tls: bool = False) -> subprocess.CompletedProcess:
        if tls:
            where = ["--http2", "--cacert", self.cafile(), "--resolve",
                     f"localhost:{self.tls_port}:127.0.0.1", f"https://localhost:{self.tls_port}{path}"]
        else:
            where = ["--http2-prior-knowledge", f"http://127.0.0.1:{self.port}{path}"]
        return subprocess.run(["curl", "-sS", *args, *where], capture_output=True, timeout=30)


def start_h2(start_server, tmp_path: Path, server_keys: str = "", site_tls: str = "",
             limits: str = "") -> H2Server:
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "www")
    (root / "big.bin").write_bytes(pattern(BIG))
    (root / "dav").mkdir()
    certs = dev_certificates(tmp_path)
    tls_port = free_port()
    log = tmp_path / "access.log"
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
        'workers = 2\ndrain_timeout = "1s"\n' + ("" if "h2c" in server_keys else "h2c = true\n")
        + server_keys
        + f'[server.limits]\nbody = "{BODY_MAX}"\n{limits}'
        + f'[[server.body_limits]]\nprefix = "/dav/"\nmax = "{UPLOAD_MAX}"\n'
        + f'[access_log]\nformat = "combined"\npath = "{log}"\n'
        + "".join(
            f'[[sites]]\nhosts = ["{host}"]\nroot = "{root}"\n'
            f'[sites.tls]\ncertificate = "{host}/cert.pem"\nkey = "{host}/key.pem"\n{site_tls}'
            + (f'[[sites.webdav]]\nprefix = "/dav/"\nroot = "{root / "dav"}"\n'
               if host == "localhost" else "")
            for host in certs
        )
    )
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-h2")
    return H2Server(server, tls_port, certs, root, log)


@pytest.fixture
def srv(start_server, tmp_path: Path) -> H2Server:
    return start_h2(start_server, tmp_path)


@pytest.fixture(params=["h2c", "h2"])
def conn(request, srv):
    c = srv.h2c() if request.param == "h2c" else srv.h2()
    yield c
    c.close()


def test_curl_speaks_http2_with_prior_knowledge_and_by_alpn(srv):
    for tls in (False, True):
        p = srv.curl("-w", "\n%{http_version} %{http_code}", tls=tls)
        assert p.returncode == 0, p.stderr
        assert p.stdout == SITE["hello.txt"] + b"\n2 200"


def test_alpn_prefers_h2_and_still_offers_http_1_1(srv):
    for offered, chosen in ((["h2", "http/1.1"], "h2"), (["http/1.1", "h2"], "h2"),
                            (["http/1.1"], "http/1.1")):
        ctx = ssl.create_default_context(cafile=srv.cafile())
        ctx.set_alpn_protocols(offered)
        raw = socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10)
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.selected_alpn_protocol() == chosen


BODIES = {"/hello.txt": SITE["hello.txt"], "/data.bin": SITE["data.bin"], "/big.bin": pattern(BIG)}


@pytest.mark.parametrize("path, status", [
    ("/hello.txt", 200), ("/data.bin", 200), ("/big.bin", 200), ("/missing.txt", 404), ("/sub", 301),
])
def test_the_same_answers_as_http_1_1(srv, conn, path, status):
    body = BODIES.get(path)
    r = conn.get(path)
    assert r.status == status, r
    if body is not None:
        assert r.body == body
    with Conn(srv.port) as c:
        c.send(request("GET", path))
        h1 = c.read_response()
    assert h1.status == status
    assert r.body == h1.body
    h1_fields = {(n.lower(), v) for n, v in h1.headers
                 if n.lower() not in ("connection", "keep-alive", "date", "transfer-encoding")}
    h2_fields = {(n, v) for n, v in r.headers if n != "date"}
    assert h2_fields == h1_fields
    assert r.header("connection") is None


def test_head_has_the_fields_of_get_and_no_data(conn):
    r = conn.response(conn.request("HEAD", "/big.bin"))
    assert r.status == 200 and r.body == b""
    assert r.header("content-length") == str(BIG)


def test_many_streams_at_once_each_get_their_own_file(conn):
    names = ["hello.txt", "one.txt", "two.txt", "three.txt", "data.bin", "sub/inner.txt"]
    ids = {conn.request("GET", "/" + n): n for n in names * 3}
    for sid, name in ids.items():
        r = conn.response(sid)
        assert r.status == 200 and r.body == SITE[name], (name, r)


def test_a_range_and_multiple_ranges(conn):
    r = conn.get("/data.bin", headers=[("range", "bytes=10-19")])
    assert r.status == 206 and r.body == SITE["data.bin"][10:20]
    assert r.header("content-range") == f"bytes 10-19/{len(SITE['data.bin'])}"
    r = conn.get("/big.bin", headers=[("range", "bytes=0-1,-2")])
    assert r.status == 206
    assert r.header("content-type").startswith("multipart/byteranges; boundary=")
    assert int(r.header("content-length")) == len(r.body)
    assert pattern(BIG)[:2] in r.body and pattern(BIG)[-2:] in r.body


def test_conditional_get_gets_304_without_data(conn):
    first = conn.get("/hello.txt")
    r = conn.get("/hello.txt", headers=[("if-none-match", first.header("etag"))])
    assert r.status == 304 and r.body == b""
    assert r.header("content-length") is None


def test_unknown_authority_is_misdirected_on_tls_and_served_on_h2c(srv):
    # The certificate of localhost does not cover other.test: 421 on that connection (RFC 9113
    # §9.1.1), while other.test's own connection is served.
    with srv.h2() as c:
        assert c.get("/hello.txt", authority="other.test").status == 421
        assert c.get("/hello.txt", authority="localhost").status == 200
    with srv.h2("other.test") as c:
        assert c.get("/hello.txt", authority="other.test").status == 200


def test_body_limit_by_content_length_and_by_data(conn):
    big = b"x" * (BODY_MAX + 1)
    r = conn.response(conn.request("POST", "/hello.txt", headers=[("content-length", str(len(big)))],
                                   body=big))
    assert r.status == 413, r
    r = conn.response(conn.request("POST", "/hello.txt", body=big))  # no content-length
    assert r.status == 413, r
    # The connection goes on: the refused content was dropped, its windows given back.
    assert conn.get("/hello.txt").status == 200


def test_at_the_body_limit_the_request_reaches_its_route(conn):
    r = conn.response(conn.request("POST", "/hello.txt", body=b"x" * BODY_MAX))
    assert r.status == 405, r  # static files take no POST: the route answered, not the limit
    assert r.header("allow") is not None


def test_path_and_header_limits(conn):
    r = conn.get("/" + "a" * 9000)
    assert r.status == 414, r
    r = conn.get("/hello.txt", headers=[(f"x-f{i}", "v") for i in range(150)])
    assert r.status == 431, r
    assert conn.get("/hello.txt").status == 200


def test_expect_100_continue_then_the_upload_streams_to_disk(srv, conn):
    data = pattern(2 * 1024 * 1024 + 5)
    sid = conn.request("PUT", "/dav/up.bin", headers=[("expect", "100-continue"),
                                                     ("content-length", str(len(data)))],
                       end=False)
    while not conn.responses[sid].interim and not conn.responses[sid].status:
        conn.read_some()
    assert conn.responses[sid].interim[0][0] == 100
    conn.send_data(sid, data)
    r = conn.response(sid)
    assert r.status == 201, r
    assert hashlib.sha256((srv.root / "dav" / "up.bin").read_bytes()).digest() == \
        hashlib.sha256(data).digest()
    r = conn.get("/dav/up.bin")
    assert r.status == 200 and r.body == data


def test_an_upload_past_its_limit_is_413_and_nothing_is_left_on_disk(srv, conn):
    data = b"y" * (UPLOAD_MAX + 1)
    sid = conn.request("PUT", "/dav/too-big.bin", end=False)
    try:
        conn.send_data(sid, data)
    except Exception:
        pass
    r = conn.response(sid)
    assert r.status == 413, r
    assert not (srv.root / "dav" / "too-big.bin").exists()
    # The temporary file is removed on the blocking pool, after the answer: poll for it.
    deadline = time.monotonic() + 10
    while list((srv.root / "dav").glob(".teapot-put-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list((srv.root / "dav").glob(".teapot-put-*")) == []


def test_the_access_log_says_http_2(srv):
    with srv.h2c() as c:
        assert c.get("/hello.txt").status == 200
    with Conn(srv.port) as c:  # the log is written by then: same worker or not, a line each
        c.send(request("GET", "/one.txt"))
        c.read_response()
    for _ in range(50):
        text = srv.log.read_text() if srv.log.exists() else ""
        if '"GET /hello.txt HTTP/2.0" 200' in text:
            break
        time.sleep(0.1)
    assert '"GET /hello.txt HTTP/2.0" 200 ' in text


def test_nghttp_fetches_with_many_streams(srv):
    p = subprocess.run(["nghttp", "-ns", f"http://127.0.0.1:{srv.port}/hello.txt",
                        f"http://127.0.0.1:{srv.port}/data.bin",
                        f"http://127.0.0.1:{srv.port}/big.bin"],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert out.count("200") >= 3 or "/big.bin" in out


def test_http2_off_keeps_every_connection_on_http_1_1(start_server, tmp_path):
    srv = start_h2(start_server, tmp_path, "http2 = false\nh2c = false\n")
    ctx = ssl.create_default_context(cafile=srv.cafile())
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    raw = socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        assert s.selected_alpn_protocol() == "http/1.1"
    # The preface is then an HTTP/1.1 request line with an unknown version.
    with Conn(srv.port) as c:
        c.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        assert c.read_response().status == 505


def test_what_the_http_1_1_codec_decides_from_a_head_is_decided_alike(conn):
    r = conn.get("/hello.txt", headers=[("expect", "something-else")])
    assert r.status == 417, r
    r = conn.response(conn.request("BREW", "/hello.txt"))
    assert r.status == 501, r
    assert conn.get("/hello.txt").status == 200


def test_curl_upgrades_to_h2c_with_101_when_h2c_is_on(srv):
    p = subprocess.run(["curl", "-sS", "--http2", "-w", "\n%{http_version} %{http_code}",
                        f"http://127.0.0.1:{srv.port}/hello.txt"], capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout == SITE["hello.txt"] + b"\n2 200"


def upgrade_request(path: str, settings: str, extra: str = "") -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            f"Upgrade: h2c\r\nHTTP2-Settings: {settings}\r\n{extra}\r\n").encode()


def test_the_upgraded_request_is_answered_on_stream_1_and_the_connection_goes_on(srv):
    client = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    settings = client.initiate_upgrade_connection().decode()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(upgrade_request("/hello.txt", settings))
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, rest = data.split(b"\r\n\r\n", 1)
        assert head == b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c"
        s.sendall(client.data_to_send())  # the client's preface, after the 101 (§3.2)
        conn = H2Conn.__new__(H2Conn)
        conn.sock, conn.conn, conn.responses = s, client, {1: H2Response()}
        conn.goaway, conn.closed = None, False
        for ev in client.receive_data(rest):
            conn._on(ev)
        r = conn.response(1)
        assert r.status == 200 and r.body == SITE["hello.txt"]
        assert r.header("content-length") == str(len(SITE["hello.txt"]))
        assert conn.get("/one.txt").body == SITE["one.txt"]


def test_an_upgrade_with_content_or_with_h2c_off_is_answered_over_http_1_1(start_server, srv,
                                                                          tmp_path):
    with Conn(srv.port) as c:
        c.send(upgrade_request("/hello.txt", "AAMAAABkAAQAoAAAAAIAAAAA",
                               "Content-Length: 3\r\n") + b"abc")
        r = c.read_response()
        assert (r.version, r.status) == ("HTTP/1.1", 200), r
    off = start_h2(start_server, tmp_path / "off", "h2c = false\n")
    with Conn(off.port) as c:
        c.send(upgrade_request("/hello.txt", "AAMAAABkAAQAoAAAAAIAAAAA"))
        r = c.read_response()
        assert (r.version, r.status) == ("HTTP/1.1", 200), r
        assert r.body == SITE["hello.txt"]


def spki_hash(cert: Path) -> str:
    """The base64 SHA-256 of the certificate's public key, which Chromium's
    --ignore-certificate-errors-spki-list trusts (the development certificate is self-signed)."""
    pub = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
                         capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                         capture_output=True, check=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_chromium_over_h2_renders_a_page_and_the_french_404_and_a_screenshot_is_kept(srv,
                                                                                    tmp_path):
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--ignore-certificate-errors-spki-list={spki_hash(Path(srv.cafile()))}",
            "--host-resolver-rules=MAP localhost 127.0.0.1", "--accept-lang=fr"]
    origin = f"https://localhost:{srv.tls_port}"

    def run(*args: str) -> subprocess.CompletedProcess:
        p = subprocess.run([*base, *args], capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
        return p

    page = run(f"--user-data-dir={tmp_path / 'p1'}", "--dump-dom", f"{origin}/index.html")
    assert "Hello from the docroot." in page.stdout.decode()
    missing = run(f"--user-data-dir={tmp_path / 'p2'}", "--dump-dom", f"{origin}/missing")
    dom = missing.stdout.decode("utf-8")
    assert '<html lang="fr">' in dom and "404 Introuvable" in dom, dom
    shot = tmp_path / "h2-404-fr.png"
    run(f"--user-data-dir={tmp_path / 'p3'}", "--window-size=900,500", f"--screenshot={shot}",
        f"{origin}/missing")
    assert shot.is_file() and shot.stat().st_size > 1000
    print(f"screenshot: {shot}")
    # The browser spoke HTTP/2: the access log says so, line by line.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = srv.log.read_text() if srv.log.exists() else ""
        if '"GET /missing HTTP/2.0" 404' in log and '"GET /index.html HTTP/2.0" 200' in log:
            break
        time.sleep(0.05)
    assert '"GET /index.html HTTP/2.0" 200' in log, log
    assert '"GET /missing HTTP/2.0" 404' in log, log


def test_hsts_goes_with_every_response_over_h2_and_never_over_h2c(start_server, tmp_path):
    srv = start_h2(start_server, tmp_path, site_tls='hsts = "365d"\n')
    with srv.h2() as c:
        for path, status in (("/hello.txt", 200), ("/missing.txt", 404)):
            r = c.get(path)
            assert r.status == status
            assert r.header("strict-transport-security") == "max-age=31536000", r
    with srv.h2c() as c:
        r = c.get("/hello.txt")
        assert r.status == 200 and r.header("strict-transport-security") is None, r


def test_redirect_http_sends_h2c_requests_to_https_with_308(start_server, tmp_path):
    srv = start_h2(start_server, tmp_path, site_tls="redirect_http = true\n")
    with srv.h2c() as c:
        r = c.get("/sub/inner.txt?x=1")
        assert r.status == 308, r
        assert r.header("location") == f"https://localhost:{srv.tls_port}/sub/inner.txt?x=1"
    with srv.h2() as c:
        assert c.get("/sub/inner.txt").body == SITE["sub/inner.txt"]


def test_a_stream_whose_content_stops_gets_408_and_the_connection_goes_on(start_server, tmp_path):
    srv = start_h2(start_server, tmp_path, limits='body_timeout = "1s"\n')
    with srv.h2c() as c:
        stalled = c.request("PUT", "/dav/stalled.bin", headers=[("content-length", "10")],
                            body=b"12345", end=False)
        r = c.response(stalled)  # waits for the server's own timeout, however long it takes
        assert r.status == 408, r
        assert c.get("/hello.txt").body == SITE["hello.txt"]
    assert not (srv.root / "dav" / "stalled.bin").exists()


def test_an_idle_connection_is_told_goaway_before_it_closes(start_server, tmp_path):
    srv = start_h2(start_server, tmp_path, limits='keep_alive_timeout = "1s"\n')
    with srv.h2c() as c:
        assert c.get("/hello.txt").status == 200
        with pytest.raises(EOFError):
            while True:
                c.read_some()
        assert c.goaway is not None and int(c.goaway.error_code) == 0, c.goaway


def test_a_response_the_client_window_holds_back_is_reset_and_the_connection_goes_on(
        start_server, tmp_path):
    srv = start_h2(start_server, tmp_path, server_keys="[server.metrics]\nenabled = true\n",
                   limits='send_timeout = "1s"\n')
    with srv.h2c() as c:
        # Every stream's window starts shut (RFC 9113 §6.9.2) and the client never opens it.
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        c.flush()
        held = c.request("GET", "/big.bin")
        r = c.response(held)  # waits for the server's own clock, however long it takes
        assert (r.status, r.body, r.reset) == (200, b"", 8), r  # CANCEL
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        c.flush()
        assert c.get("/hello.txt").body == SITE["hello.txt"]
    # The connection's counts join when the server has seen it end.
    deadline = time.monotonic() + 10
    while True:
        with Conn(srv.port) as m:
            m.send(request("GET", "/metrics"))
            text = m.read_final_response()[1].body.decode()
        if "teapot_http2_stalled_streams_total 1" in text or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert "\nteapot_http2_stalled_streams_total 1\n" in text


def test_connect_is_answered_405_with_an_empty_allow_as_over_http_1_1(conn):
    # RFC 9113 §8.5: only :method and :authority; no proxy here, so no tunnel (RFC 9110 §9.3.6).
    sid = conn.conn.get_next_available_stream_id()
    conn.responses[sid] = H2Response()
    conn.conn.config.validate_outbound_headers = False  # python3-h2 predates §8.5's form
    # (An authority the certificate does not name is 421 over TLS first, as on HTTP/1.1.)
    conn.conn.send_headers(sid, [(":method", "CONNECT"), (":authority", "localhost:443")],
                           end_stream=True)
    conn.flush()
    r = conn.response(sid)
    assert r.status == 405, r
    assert r.header("allow") == "", r
    assert conn.get("/hello.txt").body == SITE["hello.txt"]
