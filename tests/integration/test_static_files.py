"""`teapot serve DIR`: files, headers every response carries, HEAD, keep-alive, pipelining,
HTTP/1.0, 404/405, error pages, and path resolution that never leaves the root.

A test that takes `served` runs over HTTP/1.1, h2c and h2 (transports.py); those on `teapot`
are about HTTP/1.1 itself (keep-alive, pipelining, HTTP/1.0, a head its codec refuses),
listeners, or curl."""

from __future__ import annotations

import email.utils
import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ALL_BYTES, SITE
from transports import connect, fetch
from wire import Conn, exchange, request

IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d GMT$"
)


@pytest.fixture
def served(serve, transport):
    """`teapot serve` on the docroot, reached by the transport."""
    return serve(transport=transport)


def get(srv, target: str, **kw):
    return fetch(srv, "GET", target, **kw)


def assert_standard_headers(res) -> None:
    date = res.header("Date")
    assert date is not None and IMF_FIXDATE.match(date), f"Date {date!r} in {res!r}"
    sent = email.utils.parsedate_to_datetime(date).timestamp()
    assert abs(sent - time.time()) < 5, f"Date {date!r} is not now"
    assert res.header("Server") == "teapot", res


def ipv6_loopback_port() -> int | None:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
            return s.getsockname()[1]
    except OSError:
        return None


def test_several_listeners_including_ipv6_serve_the_same_files(serve):
    port6 = ipv6_loopback_port()
    if port6 is None:
        pytest.skip("no IPv6 loopback on this machine")
    srv = serve("--listen", f"[::1]:{port6}", "--workers", "1")  # and 127.0.0.1 (the fixture)
    assert get(srv, "/hello.txt").body == SITE["hello.txt"]
    with socket.create_connection(("::1", port6), timeout=5) as s:
        s.sendall(request("GET", "/hello.txt", headers=[("Connection", "close")]))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 ") and data.endswith(SITE["hello.txt"]), data


def test_get_of_a_file_returns_200_with_its_exact_bytes(served):
    res = get(served, "/hello.txt")
    assert res.status == 200, res
    assert res.body == SITE["hello.txt"]
    assert res.header("Content-Length") == str(len(SITE["hello.txt"]))


def test_curl_gets_a_binary_file_byte_exact(teapot, tmp_path):
    out = tmp_path / "download.bin"
    p = subprocess.run(
        ["curl", "-sS", "--fail", "-o", str(out), f"http://127.0.0.1:{teapot.port}/data.bin"],
        capture_output=True,
        timeout=20,
    )
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == ALL_BYTES


def test_a_percent_encoded_utf8_name_is_decoded_once_and_served(served):
    res = get(served, "/caf%C3%A9.txt")
    assert res.status == 200, res
    assert res.body == SITE["caf\u00e9.txt"]


def test_a_double_encoded_name_is_decoded_only_once(served):
    # %2568 decodes to the literal name "%68ello.txt", which does not exist; "hello.txt" would
    # mean a second decoding.
    assert get(served, "/%2568ello.txt").status == 404


@pytest.mark.parametrize(
    "target",
    ["/hello.txt", "/no-such-file", "/sub/../no-such"],
    ids=["on_200", "on_404", "on_404_after_dot_segments"],
)
def test_every_response_has_date_and_server_teapot(served, target):
    assert_standard_headers(get(served, target))


def test_a_parser_rejection_also_has_date_and_server_teapot(teapot):
    res = exchange(teapot.port, b"GET /hello.txt HTTP/1.1\r\n\r\n")  # no Host: 400
    assert res.status == 400, res
    assert_standard_headers(res)


@pytest.mark.parametrize(
    "name,media_types",
    [
        ("index.html", ["text/html"]),
        ("hello.txt", ["text/plain"]),
        ("style.css", ["text/css"]),
        ("app.js", ["text/javascript", "application/javascript"]),
    ],
)
def test_text_types_declare_charset_utf8(served, name, media_types):
    res = get(served, "/" + name)
    assert res.status == 200, res
    ctype = (res.header("Content-Type") or "").lower()
    assert ctype.split(";")[0].strip() in media_types, ctype
    assert re.search(r";\s*charset=\"?utf-8\"?", ctype), ctype


def test_a_json_file_is_application_json_without_charset_and_offers_ranges(served, docroot):
    # RFC 8259 §11: no charset parameter is defined for application/json (JSON is UTF-8), the
    # type response::json() sends too. A file's bytes can be served in parts.
    (docroot / "data.json").write_bytes(b'{"tea": "caf\xc3\xa9"}\n')
    res = get(served, "/data.json")
    assert res.status == 200, res
    assert res.header("Content-Type") == "application/json", res
    assert res.header("Accept-Ranges") == "bytes", res


def test_missing_file_gives_404_with_a_small_html_page(served):
    res = get(served, "/no-such-file.txt")
    assert res.status == 404, res
    assert (res.header("Content-Type") or "").lower().replace(" ", "") == "text/html;charset=utf-8"
    assert 0 < len(res.body) < 4096
    assert b"404" in res.body


def test_head_response_has_no_body(teapot):
    with Conn(teapot.port) as c:
        # HEAD then GET on one connection: a body after the HEAD would garble the GET's answer.
        c.send(request("HEAD", "/index.html") + request("GET", "/hello.txt"))
        head = c.read_response(head=True)
        after = c.read_response()
    assert head.status == 200, head
    assert after.status == 200 and after.body == SITE["hello.txt"], after


def test_head_has_the_same_headers_as_get_and_its_content_length(served):
    with connect(served) as c:
        got = c.fetch("GET", "/index.html")
        head = c.fetch("HEAD", "/index.html")
        assert head.body == b"", head  # HTTP/2: no DATA frame
        if c.h1 is not None:
            assert c.h1.stays_open_for(0.3), "bytes after the HEAD response"
    assert head.header("Content-Length") == got.header("Content-Length") == str(len(got.body))

    def comparable(res):
        return sorted((n.lower(), v) for n, v in res.headers if n.lower() != "date")

    assert comparable(head) == comparable(got)


def test_head_of_a_missing_file_gives_404_without_body(teapot):
    with Conn(teapot.port) as c:
        c.send(request("HEAD", "/no-such") + request("GET", "/hello.txt"))
        head = c.read_response(head=True)
        assert head.status == 404, head
        if head.has_token("Connection", "close"):
            return
        after = c.read_response()
        assert after.status == 200 and after.body == SITE["hello.txt"], after


def test_three_pipelined_requests_get_three_responses_in_order(teapot):
    names = ["one.txt", "two.txt", "three.txt"]
    with Conn(teapot.port) as c:
        c.send(b"".join(request("GET", "/" + n) for n in names))  # one write
        bodies = [c.read_response().body for _ in names]
        assert c.stays_open_for(0.3)
    assert bodies == [SITE[n] for n in names]


def test_pipelined_requests_mixing_head_404_and_get_keep_their_order(teapot):
    with Conn(teapot.port) as c:
        c.send(
            request("HEAD", "/one.txt") + request("GET", "/missing") + request("GET", "/two.txt")
        )
        first = c.read_response(head=True)
        second = c.read_response()
        third = c.read_response()
    assert (first.status, second.status, third.status) == (200, 404, 200)
    assert first.header("Content-Length") == str(len(SITE["one.txt"]))
    assert third.body == SITE["two.txt"]


def test_a_keep_alive_connection_serves_several_requests(teapot):
    with Conn(teapot.port) as c:
        for name in ["one.txt", "two.txt", "one.txt", "hello.txt"]:
            c.send(request("GET", "/" + name))
            res = c.read_response()
            assert res.status == 200 and res.body == SITE[name], res


def test_http10_request_is_answered_then_closed(teapot):
    with Conn(teapot.port) as c:
        c.send(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        res = c.read_response()
        assert res.status == 200 and res.body == SITE["hello.txt"], res
        assert res.version in ("HTTP/1.1", "HTTP/1.0")
        assert c.closes_within(1.0) == b""


def test_http10_with_keep_alive_keeps_the_connection_open(teapot):
    with Conn(teapot.port) as c:
        for _ in range(2):
            c.send(b"GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            res = c.read_response()
            assert res.status == 200 and res.body == SITE["hello.txt"], res
            assert res.has_token("Connection", "keep-alive"), res


def test_connection_close_from_the_client_closes_after_the_response(teapot):
    with Conn(teapot.port) as c:
        c.send(request("GET", "/hello.txt", headers=[("Connection", "close")]))
        res = c.read_response()
        assert res.status == 200, res
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(1.0) == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE"])
def test_a_known_method_the_file_does_not_take_gives_405_with_allow(served, method):
    body_framing = method in ("POST", "PUT", "PATCH")
    res = fetch(served, method, "/hello.txt", content_length=body_framing)
    assert res.status == 405, res
    allow = {t.strip() for t in (res.header("Allow") or "").split(",")}
    assert allow == {"GET", "HEAD", "OPTIONS"}, res


def test_options_gives_405_with_allow_or_204(served):
    res = fetch(served, "OPTIONS", "/hello.txt")
    assert res.status in (405, 204), res
    if res.status == 204:
        assert res.header("Content-Length") is None, "a 204 carries no Content-Length"
    assert {"GET", "HEAD"} <= {t.strip() for t in (res.header("Allow") or "").split(",")}, res


@pytest.mark.parametrize("language", ["fr", "fr-FR,fr;q=0.9,en;q=0.8"])
def test_error_page_is_french_when_the_client_asks_for_french(served, language):
    english = get(served, "/no-such")
    french = get(served, "/no-such", headers=[("Accept-Language", language)])
    assert french.status == 404, french
    assert french.header("Content-Language") == "fr", french
    ctype = (french.header("Content-Type") or "").lower().replace(" ", "")
    assert ctype == "text/html;charset=utf-8", french
    text = french.body.decode("utf-8").lower()  # must be valid UTF-8
    assert french.body != english.body
    assert re.search("[\u00e0-\u00ff]", text) or "introuvable" in text, text


def test_error_page_stays_english_by_default(served):
    res = get(served, "/no-such", headers=[("Accept-Language", "en-US,en;q=0.9")])
    assert res.status == 404
    assert res.header("Content-Language") in (None, "en"), res
    assert b"Not Found" in res.body, res


# -- path resolution -------------------------------------------------------------------------


def test_dot_segments_inside_the_root_are_resolved(served):
    res = get(served, "/sub/../hello.txt")
    assert res.status == 200 and res.body == SITE["hello.txt"], res


@pytest.mark.parametrize(
    "target",
    [
        "/../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/sub/../../etc/passwd",
        "/sub/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_a_path_climbing_above_the_root_gives_400(served, target):
    res = get(served, target)
    assert res.status == 400, res
    assert b"root:" not in res.body


@pytest.mark.parametrize("target", ["/a/%2F/b", "/sub%2Finner.txt", "/sub%2finner.txt"])
def test_an_encoded_slash_gives_400(served, target):
    assert get(served, target).status == 400


@pytest.mark.parametrize(
    "target",
    ["/hello.txt%00", "/hello.txt%00.html", "/x%0d%0aSet-Cookie:%20a=1", "/x%0ay", "/x%0dy"],
    ids=["nul", "nul_then_extension", "crlf", "lf", "cr"],
)
def test_a_decoded_nul_cr_or_lf_in_the_path_gives_400(served, target):
    res = get(served, target)
    assert res.status == 400, res
    assert res.header("Set-Cookie") is None


@pytest.mark.parametrize("target", ["/escape/secret.txt", "/escape.txt", "/escape/"])
def test_a_symlink_leading_out_of_the_root_is_not_followed(served, target):
    res = get(served, target)
    assert res.status in (403, 404), res
    assert b"OUTSIDE-THE-ROOT" not in res.body


def test_two_servers_over_copies_of_a_tree_give_a_file_the_same_etag(serve, tmp_path, transport):
    # As nginx: size and modification time, no inode, so that a load balancer may send the
    # revalidation of a tag to either server.
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    (a / "f.txt").write_bytes(b"the same bytes\n")
    shutil.copytree(a, b)  # copy2: the modification time comes along
    one = serve(root=a, transport=transport)
    two = serve(root=b, transport=transport)
    tag = get(one, "/f.txt").header("ETag")
    assert tag and tag == get(two, "/f.txt").header("ETag")
    assert get(two, "/f.txt", headers=[("If-None-Match", tag)]).status == 304
