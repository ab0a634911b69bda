"""The transcoding proxy (transcode_legacy_text on a [[sites.proxy]] route): a 200 whose text
is in a legacy charset declared by its Content-Type reaches the client as 203
Non-Authoritative Information, in UTF-8 with charset=utf-8 (RFC 9110 §15.3.4, §7.7); every
other response passes byte-exact with its own status: no-transform, a 206, a 404, a coded
content, a charset that is not legacy, a route without the option.

The upstream is python's http.server answering each path from the table CASES. The client
reads the raw bytes over a socket, and curl for the large content.
"""

from __future__ import annotations

import gzip
import http.server
import socketserver
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, Server, build_docroot, require, stop_all
from wire import Conn, request

PHRASE = b"caf\xe9 \x93quoted\x94 \x80"  # windows-1252
PHRASE_UTF8 = "café “quoted” €".encode()
UNDEFINED = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D])  # no character in windows-1252
BIG = bytes(range(256)) * 4096 * 4  # 4 MiB, every byte value


def windows_1252_as_browsers_read_it(data: bytes) -> bytes:
    """The test's own oracle: python's cp1252 codec, and the five bytes it leaves undefined as
    the C1 controls of the same number (the WHATWG index)."""
    text = "".join(chr(b) if b in UNDEFINED else bytes([b]).decode("cp1252") for b in range(256))
    return "".join(text[b] for b in data).encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# path -> (status, fields, content); chunked=True sends the content in three chunks.
CASES: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {
    "/w1252": (200, [("Content-Type", "text/plain; charset=windows-1252"),
                     ("ETag", '"v1"'), ("Last-Modified", "Tue, 01 Apr 2025 10:00:00 GMT"),
                     ("Accept-Ranges", "bytes"), ("Vary", "Accept-Language"),
                     ("Content-MD5", "aGVsbG8gd29ybGQgaGVsbG8gdw=="),
                     ("Repr-Digest", "sha-256=:AAAA:"), ("X-Upstream", "kept")], PHRASE),
    "/latin1-quoted": (200, [("Content-Type", 'text/html; charset="ISO-8859-1"; level=1')],
                       PHRASE),
    "/latin1": (200, [("Content-Type", "text/css;charset=LATIN1")], PHRASE),
    "/cp1252": (200, [("Content-Type", "text/plain; charset=Cp1252")], PHRASE),
    "/undefined": (200, [("Content-Type", "text/plain; charset=windows-1252")],
                   b"<" + UNDEFINED + b">"),
    "/utf8": (200, [("Content-Type", "text/plain; charset=utf-8"), ("ETag", '"u1"')],
              PHRASE_UTF8),
    "/ascii": (200, [("Content-Type", "text/plain; charset=us-ascii")], b"plain ascii"),
    "/undeclared": (200, [("Content-Type", "text/html")], PHRASE),
    "/xml": (200, [("Content-Type", "application/xml; charset=windows-1252")], PHRASE),
    "/no-transform": (200, [("Content-Type", "text/plain; charset=windows-1252"),
                            ("Cache-Control", "max-age=60, No-Transform")], PHRASE),
    "/partial": (206, [("Content-Type", "text/plain; charset=windows-1252"),
                       ("Content-Range", f"bytes 0-{len(PHRASE) - 1}/100")], PHRASE),
    "/missing": (404, [("Content-Type", "text/plain; charset=windows-1252")], PHRASE),
    "/gzip": (200, [("Content-Type", "text/plain; charset=windows-1252"),
                    ("Content-Encoding", "gzip")], gzipped(PHRASE)),
    "/chunked": (200, [("Content-Type", "text/plain; charset=windows-1252")], PHRASE * 3),
    "/bom": (200, [("Content-Type", "text/html; charset=windows-1252")],
             b"\xef\xbb\xbf" + PHRASE_UTF8),
    "/big": (200, [("Content-Type", "text/plain; charset=windows-1252")], BIG),
    # What the upstream answers an If-None-Match that matches /w1252's tag (RFC 9110 §13.1.2).
    "/not-modified": (304, [("ETag", '"v1"')], b""),
    "/not-modified-no-transform": (304, [("ETag", '"v1"'), ("Cache-Control", "no-transform")],
                                   b""),
}


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        status, fields, content = CASES["/" + self.path.split("/", 2)[2]]
        self.send_response(status)
        for name, value in fields:
            self.send_header(name, value)
        if status == 304:
            self.end_headers()
            return
        if self.path.endswith("/chunked"):
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if self.path.endswith("/chunked"):
            third = len(content) // 3
            for piece in (content[:third], content[third:2 * third], content[2 * third:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(content)

    do_GET = do_HEAD = _answer


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """teapot with /t/ transcoding and /plain/ not, both to the same upstream."""
    require(TEAPOT_BIN, "teapot")
    tmp_path = tmp_path_factory.mktemp("transcoding")
    upstream = ThreadedServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    root = build_docroot(tmp_path / "www")
    port = upstream.server_port
    config = tmp_path / "teapot.toml"
    config.write_text(
        '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\nh2c = true\n'
        f'[[sites]]\nhosts = ["localhost"]\ndefault = true\nroot = "{root}"\n'
        f'[[sites.proxy]]\nprefix = "/t/"\nupstreams = ["127.0.0.1:{port}"]\n'
        'transcode_legacy_text = true\n'
        f'[[sites.proxy]]\nprefix = "/plain/"\nupstreams = ["127.0.0.1:{port}"]\n')
    logs = tmp_path / "logs"
    logs.mkdir()
    server = Server([str(TEAPOT_BIN), "serve", "--config", str(config)], logs,
                    "teapot-transcoding")
    server.start()
    yield server
    stop_all([server])
    upstream.shutdown()


def get(port: int, target: str, method: str = "GET", headers=None):
    with Conn(port) as c:
        c.send(request(method, target, headers=headers or []))
        return c.read_final_response(head=method == "HEAD")[1]


def test_windows_1252_text_arrives_as_203_in_utf_8_with_charset_utf_8(proxy):
    r = get(proxy.port, "/t/w1252")
    assert r.status == 203, r
    assert r.reason == "Non-Authoritative Information"
    assert r.header("Content-Type") == "text/plain; charset=utf-8"
    assert r.body == PHRASE_UTF8
    # The length changed: none is sent, the content goes chunked.
    assert r.header("Content-Length") is None
    assert r.header("Transfer-Encoding") == "chunked"


def test_over_http2_the_client_gets_the_same_203(proxy):
    p = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-D", "-", "-o", "-",
                        f"http://127.0.0.1:{proxy.port}/t/w1252"], capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/2 203"), head
    assert b"\r\ncontent-type: text/plain; charset=utf-8\r\n" in head + b"\r\n", head
    assert body == PHRASE_UTF8


def test_the_203_has_a_weak_etag_and_none_of_the_fields_the_new_bytes_make_false(proxy):
    r = get(proxy.port, "/t/w1252")
    assert r.status == 203, r
    assert r.header("ETag") == 'W/"v1"'
    assert r.header("Accept-Ranges") is None
    assert r.header("Content-MD5") is None
    assert r.header("Repr-Digest") is None
    assert r.header("Last-Modified") == "Tue, 01 Apr 2025 10:00:00 GMT"
    assert r.header("Vary") == "Accept-Language"
    assert r.header("X-Upstream") == "kept"


@pytest.mark.parametrize("path, content_type", [
    ("/t/latin1-quoted", "text/html; charset=utf-8; level=1"),
    ("/t/latin1", "text/css;charset=utf-8"),
    ("/t/cp1252", "text/plain; charset=utf-8"),
])
def test_labels_browsers_read_as_windows_1252_are_transcoded_as_windows_1252(
        proxy, path, content_type):
    r = get(proxy.port, path)
    assert r.status == 203, r
    assert r.header("Content-Type") == content_type
    assert r.body == PHRASE_UTF8  # 0x93 0x94 0x80 are quotes and the euro, also for latin1


def test_the_bytes_windows_1252_leaves_undefined_become_the_c1_controls_of_their_number(proxy):
    r = get(proxy.port, "/t/undefined")
    assert r.status == 203, r
    assert r.body == "<\u0081\u008d\u008f\u0090\u009d>".encode()


def test_a_chunked_upstream_content_is_transcoded_across_its_chunks(proxy):
    r = get(proxy.port, "/t/chunked")
    assert (r.status, r.body) == (203, PHRASE_UTF8 * 3), r


def test_a_large_windows_1252_content_streams_to_the_client_exactly(proxy):
    p = subprocess.run(["curl", "-sS", "-D", "-", "-o", "-", f"http://127.0.0.1:{proxy.port}/t/big"],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 203 Non-Authoritative Information\r\n"), head
    assert body == windows_1252_as_browsers_read_it(BIG)


def test_a_head_that_would_be_transcoded_gets_the_203_fields_and_no_content(proxy):
    # RFC 9110 §9.3.2: the fields a GET would have; the length a GET's content would have is
    # not known, so none is sent.
    with Conn(proxy.port) as c:
        c.send(request("HEAD", "/t/w1252"))
        r = c.read_final_response(head=True)[1]
        c.send(request("GET", "/hello.txt"))  # the connection goes on: nothing came after the head
        after = c.read_final_response()[1]
    assert r.status == 203, r
    assert r.header("Content-Type") == "text/plain; charset=utf-8"
    assert r.header("ETag") == 'W/"v1"'
    assert r.header("Content-Length") is None
    assert r.header("Transfer-Encoding") == "chunked"  # as the GET's
    assert (after.status, after.body) == (200, b"Hello, file!\n"), after


@pytest.mark.parametrize("path, status, content_type", [
    ("/utf8", 200, "text/plain; charset=utf-8"),
    ("/ascii", 200, "text/plain; charset=us-ascii"),
    ("/undeclared", 200, "text/html"),
    ("/xml", 200, "application/xml; charset=windows-1252"),
    ("/no-transform", 200, "text/plain; charset=windows-1252"),
    ("/partial", 206, "text/plain; charset=windows-1252"),
    ("/missing", 404, "text/plain; charset=windows-1252"),
    ("/gzip", 200, "text/plain; charset=windows-1252"),
])
def test_what_the_rule_leaves_alone_passes_byte_exact_with_its_own_status(
        proxy, path, status, content_type):
    r = get(proxy.port, "/t" + path)
    assert r.status == status, r
    assert r.header("Content-Type") == content_type
    assert r.body == CASES[path][2]
    assert r.header("Content-Length") == str(len(CASES[path][2]))


def test_a_request_with_no_transform_gets_the_upstreams_200_unchanged(proxy):
    r = get(proxy.port, "/t/w1252", headers=[("Cache-Control", "no-cache, no-transform")])
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; charset=windows-1252"
    assert r.header("ETag") == '"v1"'
    assert r.body == PHRASE


def test_a_route_without_the_option_relays_legacy_text_unchanged(proxy):
    r = get(proxy.port, "/plain/w1252")
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; charset=windows-1252"
    assert r.header("ETag") == '"v1"'
    assert r.header("Content-Length") == str(len(PHRASE))
    assert r.body == PHRASE


def test_a_utf_8_byte_order_mark_overrides_the_label_as_in_a_browser(proxy):
    # WHATWG Encoding "decode": the mark says UTF-8 whatever the label; the text passes as it
    # is, without the mark, now labelled truthfully.
    r = get(proxy.port, "/t/bom")
    assert r.status == 203, r
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.body == PHRASE_UTF8


def test_a_304_goes_with_the_weak_etag_the_client_holds_from_the_203(proxy):
    # The client revalidates the 203's W/"v1"; the upstream compares weakly and answers 304
    # with its strong "v1", which the proxy weakens as it weakened the 203's (RFC 9110 §8.8.1;
    # RFC 9111 §4.3.4 selects the stored response to update by it).
    r = get(proxy.port, "/t/not-modified", headers=[("If-None-Match", 'W/"v1"')])
    assert (r.status, r.header("ETag")) == (304, 'W/"v1"'), r


@pytest.mark.parametrize("path, headers", [
    ("/t/not-modified", [("Cache-Control", "no-transform")]),  # the 200 would not be a 203
    ("/t/not-modified-no-transform", []),
    ("/plain/not-modified", []),  # a route without transcode_legacy_text
])
def test_a_304_keeps_its_strong_etag_where_the_200_would_not_be_transcoded(proxy, path, headers):
    r = get(proxy.port, path, headers=headers + [("If-None-Match", '"v1"')])
    assert (r.status, r.header("ETag")) == (304, '"v1"'), r
