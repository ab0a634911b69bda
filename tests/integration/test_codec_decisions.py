"""What the HTTP/1.1 codec decides before any handler runs: 400 (one test per rule), 411, 413,
414, 417, 431, 501, 505. Each of these answers carries `Connection: close`, and the server closes
the connection right after it, so that nothing the client sent later is read as a request."""

from __future__ import annotations

import subprocess
import time

import pytest

from conftest import SITE
from wire import Conn, chunked, exchange, request

H = "Host: localhost\r\n"


def assert_rejected_then_closed(port: int, raw: bytes, status: int):
    """One response with that status, Connection: close, then EOF within 1 s."""
    with Conn(port) as c:
        c.send(raw)
        interims, res = c.read_final_response()
        assert res.status == status, f"sent {raw[:200]!r}: got {res!r}"
        assert not interims, f"an interim response before the {status}: {interims!r}"
        assert res.has_token("Connection", "close"), f"no Connection: close in {res!r}"
        extra = c.closes_within(1.0)
        assert extra == b"", f"bytes after the {status}: {extra[:200]!r}"
    ctype = (res.header("Content-Type") or "").lower().replace(" ", "")
    assert ctype == "text/html;charset=utf-8", res
    return res


def assert_served(port: int, raw: bytes, status: int = 200):
    res = exchange(port, raw)
    assert res.status == status, f"sent {raw[:200]!r}: got {res!r}"
    return res


# -- 400: one test per rule -------------------------------------------------------------------

BAD_REQUESTS = {
    "malformed_request_line": b"GET /hello.txt HTTP/1.1 extra\r\n" + H.encode() + b"\r\n",
    "request_line_with_two_spaces": b"GET  /hello.txt HTTP/1.1\r\n" + H.encode() + b"\r\n",
    "request_line_without_version": b"GET /hello.txt\r\n\r\n",
    "whitespace_before_colon": (b"GET /hello.txt HTTP/1.1\r\n" + H.encode() + b"X-A : b\r\n\r\n"),
    "obs_fold": b"GET /hello.txt HTTP/1.1\r\n" + H.encode() + b"X-A: a\r\n  b\r\n\r\n",
    "cr_in_a_field_value": b"GET /hello.txt HTTP/1.1\r\n" + H.encode() + b"X-A: a\rb\r\n\r\n",
    "lf_in_a_field_value": b"GET /hello.txt HTTP/1.1\r\n" + H.encode() + b"X-A: a\nb\r\n\r\n",
    "nul_in_a_field_value": b"GET /hello.txt HTTP/1.1\r\n" + H.encode() + b"X-A: a\x00b\r\n\r\n",
    "missing_host_in_http11": b"GET /hello.txt HTTP/1.1\r\nAccept: */*\r\n\r\n",
    "duplicate_host": b"GET /hello.txt HTTP/1.1\r\n" + H.encode() * 2 + b"\r\n",
    "content_length_with_transfer_encoding": (
        b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Content-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ),
    "differing_duplicate_content_length": (
        b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Content-Length: 5\r\n"
        b"Content-Length: 6\r\n\r\nhello!"
    ),
    "transfer_encoding_not_ending_in_chunked": (
        b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Transfer-Encoding: chunked, gzip\r\n\r\n"
        b"0\r\n\r\n"
    ),
    "bad_chunk_size": (
        b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Transfer-Encoding: chunked\r\n\r\n"
        b"zz\r\nhello\r\n0\r\n\r\n"
    ),
    "overflowing_chunk_size": (
        b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Transfer-Encoding: chunked\r\n\r\n"
        b"10000000000000005\r\nhello\r\n0\r\n\r\n"
    ),
    "bad_percent_encoding": b"GET /%zzhello.txt HTTP/1.1\r\n" + H.encode() + b"\r\n",
    "truncated_percent_encoding": b"GET /hello.txt%2 HTTP/1.1\r\n" + H.encode() + b"\r\n",
}


@pytest.mark.parametrize("raw", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_request_breaking_a_syntax_rule_gets_400_and_close(teapot, raw):
    res = assert_rejected_then_closed(teapot.port, raw, 400)
    assert SITE["hello.txt"] not in res.body


def test_a_request_after_a_400_on_the_same_connection_is_never_answered(teapot):
    smuggled = request("GET", "/hello.txt")
    with Conn(teapot.port) as c:
        c.send(BAD_REQUESTS["whitespace_before_colon"] + smuggled)
        assert c.read_response().status == 400
        assert c.closes_within(1.0) == b""


def test_a_chunked_body_with_extensions_and_trailers_is_accepted(teapot):
    body = b"5;name=value;q=\"quoted ; text\"\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: yes\r\n\r\n"
    raw = b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Transfer-Encoding: chunked\r\n\r\n"
    assert_served(teapot.port, raw + body, 405)  # read in full, then refused by the file


# -- 501, 505 --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["FOO", "get", "BREW"])
def test_an_unknown_method_gets_501(teapot, method):
    assert_rejected_then_closed(teapot.port, request(method, "/hello.txt"), 501)


def test_an_unknown_transfer_coding_before_chunked_gets_501(teapot):
    raw = (
        b"POST /hello.txt HTTP/1.1\r\n" + H.encode() + b"Transfer-Encoding: gzip, chunked\r\n\r\n"
        b"0\r\n\r\n"
    )
    assert_rejected_then_closed(teapot.port, raw, 501)


@pytest.mark.parametrize("version", ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9"])
def test_a_major_version_other_than_1_gets_505(teapot, version):
    assert_rejected_then_closed(teapot.port, request("GET", "/hello.txt", version=version), 505)


def test_a_higher_minor_version_of_http1_is_served(teapot):
    res = assert_served(teapot.port, request("GET", "/hello.txt", version="HTTP/1.2"))
    assert res.version == "HTTP/1.1"


# -- 411, 417 --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_post_or_put_without_length_or_chunked_gets_411(teapot, method):
    assert_rejected_then_closed(teapot.port, request(method, "/hello.txt"), 411)


def test_an_expectation_other_than_100_continue_gets_417(teapot):
    raw = request("GET", "/hello.txt", headers=[("Expect", "the-unexpected")])
    assert_rejected_then_closed(teapot.port, raw, 417)


# -- 414: the request line (method SP target SP version, without its CRLF) ------------------


def request_line_of(length: int) -> bytes:
    start, end = "GET /hello.txt?pad=", " HTTP/1.1"
    line = start + "a" * (length - len(start) - len(end)) + end
    assert len(line) == length
    return (line + "\r\n" + H + "\r\n").encode()


def test_a_request_line_at_the_limit_is_served(serve):
    srv = serve("--max-request-line", "256")
    res = assert_served(srv.port, request_line_of(256))
    assert res.body == SITE["hello.txt"]


def test_a_request_line_one_byte_over_the_limit_gets_414(serve):
    srv = serve("--max-request-line", "256")
    assert_rejected_then_closed(srv.port, request_line_of(257), 414)


def test_a_request_line_over_the_default_8kib_gets_414(teapot):
    assert_served(teapot.port, request_line_of(8192))
    assert_rejected_then_closed(teapot.port, request_line_of(8193), 414)


# -- 431: one field line, the header section, the number of fields ---------------------------


def with_fields(lines: list[str]) -> bytes:
    return ("GET /hello.txt HTTP/1.1\r\n" + "".join(f + "\r\n" for f in lines) + "\r\n").encode()


def field_line_of(length: int, name: str = "X-Pad") -> str:
    """A field line of exactly `length` bytes, without its CRLF."""
    start = name + ": "
    return start + "b" * (length - len(start))


@pytest.mark.parametrize("size,served", [(1024, True), (1025, False)], ids=["at", "one_past"])
def test_one_field_line_at_the_limit_is_served_and_one_byte_more_gets_431(serve, size, served):
    srv = serve("--max-field-line", "1KiB")
    raw = with_fields(["Host: localhost", field_line_of(size)])
    if served:
        assert_served(srv.port, raw)
    else:
        assert_rejected_then_closed(srv.port, raw, 431)


def section_of(total: int) -> list[str]:
    """Field lines whose sizes, each counted with its CRLF, add up to `total` bytes
    (the header section: from the first field line through the last field line's CRLF)."""
    lines, left, i = ["Host: localhost"], total - len("Host: localhost\r\n"), 0
    while left > 0:
        size = min(500, left)
        if 0 < left - size < 20:  # keep the last line long enough for its name
            size = left - 20
        lines.append(field_line_of(size - 2, f"X-{i:03d}"))
        left -= size
        i += 1
    assert sum(len(x) + 2 for x in lines) == total
    return lines


@pytest.mark.parametrize("size,served", [(4096, True), (4097, False)], ids=["at", "one_past"])
def test_a_header_section_at_the_limit_is_served_and_one_byte_more_gets_431(serve, size, served):
    srv = serve("--max-header-section", "4KiB", "--max-field-line", "1KiB")
    raw = with_fields(section_of(size))
    if served:
        assert_served(srv.port, raw)
    else:
        assert_rejected_then_closed(srv.port, raw, 431)


def test_the_request_line_does_not_count_against_the_header_section_limit(serve):
    # 431 means "the header fields are too large"; a long request line has its own limit (414).
    srv = serve("--max-header-section", "1KiB", "--max-request-line", "4KiB")
    assert_served(srv.port, request_line_of(2000))


@pytest.mark.parametrize("count,served", [(10, True), (11, False)], ids=["at", "one_past"])
def test_a_field_count_at_the_limit_is_served_and_one_more_gets_431(serve, count, served):
    srv = serve("--max-fields", "10")
    raw = with_fields(["Host: localhost"] + [f"X-{i}: {i}" for i in range(count - 1)])
    if served:
        assert_served(srv.port, raw)
    else:
        assert_rejected_then_closed(srv.port, raw, 431)


def test_a_default_of_100_fields_is_allowed_and_101_get_431(teapot):
    base = ["Host: localhost"]
    assert_served(teapot.port, with_fields(base + [f"X-{i}: {i}" for i in range(99)]))
    raw = with_fields(base + [f"X-{i}: {i}" for i in range(100)])
    assert_rejected_then_closed(teapot.port, raw, 431)


# -- 413: the body (a static file reads the body, then answers 405: 405 proves "not 413") ---


def post(length: int, *, send_body: bool = True, extra: list[tuple[str, str]] | None = None):
    head = request("POST", "/hello.txt", headers=[("Content-Length", str(length))] + (extra or []))
    return head + (b"x" * length if send_body else b"")


def test_a_body_of_exactly_max_body_is_read(serve):
    srv = serve("--max-body", "1000")
    assert_served(srv.port, post(1000), 405)


def test_a_content_length_one_byte_over_max_body_gets_413_before_the_body_is_sent(serve):
    srv = serve("--max-body", "1000")
    assert_rejected_then_closed(srv.port, post(1001, send_body=False), 413)


def test_a_huge_content_length_gets_413_not_an_overflow(teapot):
    raw = request("POST", "/hello.txt", headers=[("Content-Length", "9" * 30)])
    assert_rejected_then_closed(teapot.port, raw, 413)


def test_a_chunked_body_of_exactly_max_body_is_read(serve):
    srv = serve("--max-body", "1000")
    raw = request("POST", "/hello.txt", headers=[("Transfer-Encoding", "chunked")])
    assert_served(srv.port, raw + chunked(b"a" * 600, b"b" * 400), 405)


def test_a_chunked_body_growing_past_max_body_gets_413(serve):
    srv = serve("--max-body", "1000")
    raw = request("POST", "/hello.txt", headers=[("Transfer-Encoding", "chunked")])
    assert_rejected_then_closed(srv.port, raw + chunked(b"a" * 600, b"b" * 401), 413)


def chunk_line_of(length: int) -> bytes:
    """A chunk-size line with an extension, `length` bytes without its CRLF."""
    start = b"5;ext="
    return start + b"e" * (length - len(start))


@pytest.mark.parametrize("size,served", [(64, True), (65, False)], ids=["at", "one_past"])
def test_a_chunk_line_at_the_limit_is_read_and_one_byte_more_gets_413(serve, size, served):
    srv = serve("--max-chunk-line", "64")
    raw = request("POST", "/hello.txt", headers=[("Transfer-Encoding", "chunked")])
    raw += chunk_line_of(size) + b"\r\nhello\r\n0\r\n\r\n"
    if served:
        assert_served(srv.port, raw, 405)
    else:
        assert_rejected_then_closed(srv.port, raw, 413)


def extensions_of(total: int) -> bytes:
    """A chunked content whose two size lines carry `total` bytes of extensions together."""
    first = total // 2
    return (
        b"5;" + b"e" * (first - 1) + b"\r\nhello\r\n"
        + b"0;" + b"f" * (total - first - 1) + b"\r\n\r\n"
    )


@pytest.mark.parametrize("total,served", [(64, True), (65, False)], ids=["at", "one_past"])
def test_chunk_extensions_at_the_limit_of_a_request_are_read_and_one_byte_more_gets_413(
    serve, total, served
):
    srv = serve("--max-chunk-extensions", "64")
    raw = request("POST", "/hello.txt", headers=[("Transfer-Encoding", "chunked")])
    raw += extensions_of(total)
    if served:
        assert_served(srv.port, raw, 405)
    else:
        assert_rejected_then_closed(srv.port, raw, 413)


@pytest.mark.parametrize("size,served", [(1000, True), (1001, False)], ids=["at", "one_past"])
def test_a_chunk_size_past_max_body_gets_413_at_once_without_its_data(serve, size, served):
    """The size line alone says the content is too large: the 413 comes before any data (it
    used to wait for data that never came, until the body timeout)."""
    srv = serve("--max-body", "1000")
    head = request("POST", "/hello.txt", headers=[("Transfer-Encoding", "chunked")])
    size_line = f"{size:x}\r\n".encode()
    if served:
        assert_served(srv.port, head + size_line + b"a" * size + b"\r\n0\r\n\r\n", 405)
        return
    start = time.monotonic()
    assert_rejected_then_closed(srv.port, head + size_line, 413)
    assert time.monotonic() - start < 2.0  # the body timeout is 10 s


def test_expect_100_continue_with_a_too_large_body_gets_413_and_no_100(serve):
    srv = serve("--max-body", "1000")
    raw = post(1001, send_body=False, extra=[("Expect", "100-continue")])
    assert_rejected_then_closed(srv.port, raw, 413)


# -- what browsers and curl send unencoded (docs/parser-deviations.md) ------------------------

# RFC 3986 has none of these bytes, but RFC 9112 §3 asks for a 400 only with a SHOULD, browsers
# leave `|`, `{`, `}`, `^` and `` ` `` raw in a query, curl sends what it is given, and nginx and
# Apache take them all. None can end the line, split it or start a fragment.
BROWSER_TARGETS = {
    "pipe": b"/hello.txt?tags=a|b",
    "braces": b"/hello.txt?q={x}",
    "double_quotes": b'/hello.txt?q="x"',
    "caret_and_backtick": b"/hello.txt?c=^`",
    "angle_brackets": b"/hello.txt?q=<b>",
    "backslash_in_query": b"/hello.txt?p=a\\b",
    "stray_percent_in_query": b"/hello.txt?off=100%",
    "utf8_in_query": b"/hello.txt?q=caf\xc3\xa9",
}


@pytest.mark.parametrize("target", BROWSER_TARGETS.values(), ids=BROWSER_TARGETS.keys())
def test_a_link_as_browsers_send_it_is_served(teapot, target):
    res = assert_served(teapot.port, b"GET " + target + b" HTTP/1.1\r\n" + H.encode() + b"\r\n")
    assert res.body == SITE["hello.txt"], res


def test_a_raw_utf8_path_serves_the_file_its_percent_encoded_form_names(teapot):
    # nginx and Apache take bytes above 0x7F; the path is decoded and checked as UTF-8 either way.
    raw = assert_served(teapot.port, b"GET /caf\xc3\xa9.txt HTTP/1.1\r\n" + H.encode() + b"\r\n")
    encoded = assert_served(teapot.port, b"GET /caf%C3%A9.txt HTTP/1.1\r\n" + H.encode() + b"\r\n")
    assert raw.body == encoded.body == SITE["caf\u00e9.txt"], raw


@pytest.mark.parametrize("target", [b"/a^b", b"/{a}|b", b"/no-caf\xc3\xa9"])
def test_a_path_with_such_bytes_is_looked_up_not_refused(teapot, target):
    assert_served(teapot.port, b"GET " + target + b" HTTP/1.1\r\n" + H.encode() + b"\r\n", 404)


def test_curl_gets_a_link_with_pipes_braces_and_quotes(teapot):
    url = f'http://127.0.0.1:{teapot.port}/hello.txt?tags=a|b&q={{x}}&s="x"&c=^'
    # --globoff: curl would read the braces as a URL glob.
    p = subprocess.run(["curl", "-sS", "--fail", "--globoff", url], capture_output=True,
                       timeout=10)
    assert p.returncode == 0, p.stderr
    assert p.stdout == SITE["hello.txt"]


STILL_REFUSED = {
    "fragment_in_query": b"/hello.txt?a#b",
    "del_in_query": b"/hello.txt?a\x7f",
    "escape_in_query": b"/hello.txt?a\x1b[2J",
    "nul_in_path": b"/hello\x00.txt",
    "backslash_in_path": b"/a\\..\\hello.txt",
    "bad_percent_in_path": b"/%zzhello.txt",
    "not_utf8_in_path": b"/caf\xe9",
    "backslash_in_an_absolute_form_authority": b"http://a\\@localhost/hello.txt",
}


@pytest.mark.parametrize("target", STILL_REFUSED.values(), ids=STILL_REFUSED.keys())
def test_what_can_split_a_line_or_confuse_a_path_is_still_refused(teapot, target):
    assert_rejected_then_closed(
        teapot.port, b"GET " + target + b" HTTP/1.1\r\n" + H.encode() + b"\r\n", 400)
