"""Conditional requests (RFC 9110 §13) and byte ranges (§14), answered by the server for every
handler from the validators it gives: the hello example's /tea for a handler of the library,
and `teapot serve` for files (ranges need no validators). Each over HTTP/1.1, h2c and h2
(transports.py), but the curl tests, which speak HTTP/1.1."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from conftest import EXAMPLES_DIR, require
from transports import connect, fetch, h1_only

TEA = b"Green, black, oolong, white, pu-erh: all steeped at their own temperature.\n"
TEA_ETAG = '"tea-1"'
TEA_DATE = "Tue, 14 Nov 2023 22:13:20 GMT"
EARLIER = "Tue, 14 Nov 2023 22:13:19 GMT"
LATER = "Tue, 14 Nov 2023 22:13:21 GMT"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"
BIG = os.urandom(1024 * 1024)


@pytest.fixture
def hello(start_server, transport):
    """The hello example, reached by the transport."""
    exe = EXAMPLES_DIR / "example_hello"
    require(exe, "example_hello")
    flags, tls_port = transport.example_flags()
    return transport.attach(start_server([exe, *flags], "hello"), tls_port)


def tea(srv, *fields: tuple[str, str], method: str = "GET"):
    return fetch(srv, method, "/tea", headers=list(fields))


# -- conditional requests ---------------------------------------------------------------------

CONDITIONAL_CASES = [
    # (fields, expected status, why)
    ([], 200, "unconditional"),
    ([("If-None-Match", TEA_ETAG)], 304, "§13.1.2 the tag matches"),
    ([("If-None-Match", 'W/"tea-1"')], 304, "§13.1.2 weak comparison"),
    ([("If-None-Match", '"other", "tea-1"')], 304, "a list that holds the tag"),
    ([("If-None-Match", "*")], 304, "any current representation"),
    ([("If-None-Match", '"other"')], 200, "no tag matches"),
    ([("If-Modified-Since", TEA_DATE)], 304, "§13.1.3 not modified since that date"),
    ([("If-Modified-Since", LATER)], 304, "a later date"),
    ([("If-Modified-Since", EARLIER)], 200, "modified since"),
    ([("If-Modified-Since", FUTURE)], 200, "§13.1.3 a date in the future is ignored"),
    ([("If-Modified-Since", "yesterday")], 200, "an invalid date is ignored"),
    ([("If-None-Match", '"other"'), ("If-Modified-Since", TEA_DATE)], 200,
     "§13.1.3 If-Modified-Since is ignored when If-None-Match is present"),
    ([("If-Match", TEA_ETAG)], 200, "§13.1.1 strong match"),
    ([("If-Match", '"other"')], 412, "§13.1.1 no match"),
    ([("If-Match", 'W/"tea-1"')], 412, "§13.1.1 a weak tag never matches strongly"),
    ([("If-Match", "*")], 200, "any current representation"),
    ([("If-Unmodified-Since", TEA_DATE)], 200, "§13.1.4 unmodified since"),
    ([("If-Unmodified-Since", EARLIER)], 412, "§13.1.4 modified since"),
    ([("If-Match", TEA_ETAG), ("If-Unmodified-Since", EARLIER)], 200,
     "§13.2.2 If-Unmodified-Since is skipped when If-Match is present"),
    ([("If-Match", '"other"'), ("If-None-Match", TEA_ETAG)], 412, "§13.2.2 If-Match first"),
]


@pytest.mark.parametrize("fields,expected,why", CONDITIONAL_CASES, ids=[c[2] for c in CONDITIONAL_CASES])
def test_a_conditional_get_is_answered_in_the_order_of_rfc_9110(hello, fields, expected, why):
    res = tea(hello, *fields)
    assert res.status == expected, (why, res)
    if expected == 200:
        assert res.body == TEA


def test_a_304_carries_the_validators_and_no_content(hello):
    with connect(hello) as c:
        res = c.fetch("GET", "/tea", headers=[("If-None-Match", TEA_ETAG)])
        assert res.status == 304, res
        assert res.header("ETag") == TEA_ETAG
        assert res.header("Last-Modified") == TEA_DATE
        assert res.header("Content-Length") is None and res.header("Content-Type") is None
        assert res.body == b"", res  # HTTP/2: no DATA frame
        # No content bytes followed the head: the next response starts right after it.
        assert c.fetch("GET", "/hello").body == b"Hello, World!"


def test_a_head_gets_304_too(hello):
    res = tea(hello, ("If-None-Match", TEA_ETAG), method="HEAD")
    assert res.status == 304, res


def test_a_412_is_an_error_page_with_its_charset(hello):
    res = tea(hello, ("If-Match", '"nope"'))
    assert res.status == 412, res
    assert res.header("Content-Type") == "text/html; charset=utf-8"


def test_the_200_advertises_byte_ranges(hello):
    res = tea(hello)
    assert res.header("Accept-Ranges") == "bytes", res


def test_a_dynamic_200_without_a_strong_validator_neither_advertises_nor_honours_ranges(hello):
    # RFC 9110 §15.3.7.3: parts combine only under a strong validator; without one, parts of
    # content that may change between requests are worse than the whole, so none is offered.
    res = fetch(hello, "GET", "/hello")
    assert res.status == 200 and res.header("Accept-Ranges") is None, res
    ranged = fetch(hello, "GET", "/hello", headers=[("Range", "bytes=0-4")])
    assert ranged.status == 200 and ranged.body == b"Hello, World!", ranged
    assert ranged.header("Content-Range") is None, ranged


# -- ranges ---------------------------------------------------------------------------------------


def test_a_single_range_gets_206_with_content_range(hello):
    res = tea(hello, ("Range", "bytes=0-4"))
    assert res.status == 206, res
    assert res.header("Content-Range") == f"bytes 0-4/{len(TEA)}"
    assert res.body == TEA[:5]


def test_a_suffix_range_gets_the_last_bytes(hello):
    res = tea(hello, ("Range", "bytes=-12"))
    assert res.status == 206, res
    assert res.body == TEA[-12:]
    assert res.header("Content-Range") == f"bytes {len(TEA) - 12}-{len(TEA) - 1}/{len(TEA)}"


def test_an_open_ended_range_runs_to_the_end(hello):
    res = tea(hello, ("Range", "bytes=70-"))
    assert res.status == 206 and res.body == TEA[70:], res


def test_an_unsatisfiable_range_gets_416_with_the_length(hello):
    res = tea(hello, ("Range", f"bytes={len(TEA)}-"))
    assert res.status == 416, res
    assert res.header("Content-Range") == f"bytes */{len(TEA)}"


def test_a_matching_if_range_honours_the_range(hello):
    res = tea(hello, ("Range", "bytes=0-4"), ("If-Range", TEA_ETAG))
    assert res.status == 206 and res.body == TEA[:5], res


def test_a_stale_if_range_gets_the_whole_representation(hello):
    for value in ('"tea-0"', 'W/"tea-1"', EARLIER):
        res = tea(hello, ("Range", "bytes=0-4"), ("If-Range", value))
        assert res.status == 200 and res.body == TEA, (value, res)


def test_an_if_range_date_equal_to_last_modified_honours_the_range(hello):
    res = tea(hello, ("Range", "bytes=0-4"), ("If-Range", TEA_DATE))
    assert res.status == 206, res


def test_range_is_ignored_on_head(hello):
    res = tea(hello, ("Range", "bytes=0-4"), method="HEAD")
    assert res.status == 200, res
    assert res.header("Content-Length") == str(len(TEA))


def parse_multipart(res) -> list[tuple[str, str, bytes]]:
    ctype = res.header("Content-Type")
    m = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", ctype or "")
    assert m, ctype
    delim = b"--" + m.group(1).encode()
    body = res.body
    assert body.startswith(delim + b"\r\n"), body[:80]
    assert body.endswith(b"\r\n" + delim + b"--\r\n"), body[-80:]
    parts = []
    for chunk in body[len(delim) + 2 : -(len(delim) + 6)].split(b"\r\n" + delim + b"\r\n"):
        head, _, data = chunk.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n"))
        parts.append((fields[b"Content-Type"].decode(), fields[b"Content-Range"].decode(), data))
    return parts


def test_several_ranges_get_multipart_byteranges(hello):
    res = tea(hello, ("Range", "bytes=0-4,10-14,-3"))
    assert res.status == 206, res
    assert res.header("Content-Length") == str(len(res.body))
    parts = parse_multipart(res)
    n = len(TEA)
    assert parts == [
        ("text/plain; charset=utf-8", f"bytes 0-4/{n}", TEA[0:5]),
        ("text/plain; charset=utf-8", f"bytes 10-14/{n}", TEA[10:15]),
        ("text/plain; charset=utf-8", f"bytes {n - 3}-{n - 1}/{n}", TEA[-3:]),
    ]


def test_overlapping_ranges_are_coalesced(hello):
    res = tea(hello, ("Range", "bytes=0-9,5-14"))
    assert res.status == 206, res
    assert res.header("Content-Range") == f"bytes 0-14/{len(TEA)}"
    assert res.body == TEA[:15]


def test_too_many_ranges_get_the_whole_representation(hello):
    spec = ",".join(f"{i * 4}-{i * 4 + 1}" for i in range(17))
    res = tea(hello, ("Range", "bytes=" + spec))
    assert res.status == 200 and res.body == TEA, res


# -- files of teapot serve --------------------------------------------------------------------


@pytest.fixture
def big(serve, docroot, transport):
    (docroot / "big.bin").write_bytes(BIG)
    return serve("--workers", "1", transport=transport)


def test_a_range_of_a_large_file_is_byte_exact(big):
    res = fetch(big, "GET", "/big.bin", headers=[("Range", "bytes=100000-899999")])
    assert res.status == 206, res
    assert res.body == BIG[100000:900000]


def test_multipart_ranges_of_a_large_file_are_byte_exact(big):
    res = fetch(big, "GET", "/big.bin", headers=[("Range", "bytes=0-99,500000-799999,-70000")])
    assert res.status == 206, res
    parts = parse_multipart(res)
    assert [p[2] for p in parts] == [BIG[0:100], BIG[500000:800000], BIG[-70000:]]
    assert [p[0] for p in parts] == ["application/octet-stream"] * 3


@h1_only
def test_curl_range_downloads_the_asked_bytes(big, tmp_path):
    """HTTP/1.1 only: curl asks as it does by default."""
    out = tmp_path / "part"
    subprocess.run(
        ["curl", "-sS", "--range", "1000-1999", "-o", str(out), f"http://127.0.0.1:{big.port}/big.bin"],
        check=True, timeout=20,
    )
    assert out.read_bytes() == BIG[1000:2000]


# -- validators of files ------------------------------------------------------------------------

FILE_TIME = 1700000000  # Tue, 14 Nov 2023 22:13:20 GMT


@pytest.fixture
def dated(serve, docroot, transport):
    path = docroot / "dated.txt"
    path.write_bytes(b"a file with a known modification time\n")
    os.utime(path, (FILE_TIME, FILE_TIME))
    return serve("--workers", "1", transport=transport)


def test_a_file_is_not_modified_for_its_own_etag(dated):
    first = fetch(dated, "GET", "/dated.txt")
    etag = first.header("ETag")
    assert etag and etag.startswith('"'), first
    res = fetch(dated, "GET", "/dated.txt", headers=[("If-None-Match", etag)])
    assert res.status == 304, res
    assert res.header("ETag") == etag and res.body == b""


def test_a_file_is_not_modified_since_its_last_modified_date(dated):
    res = fetch(dated, "GET", "/dated.txt", headers=[("If-Modified-Since", TEA_DATE)])
    assert res.status == 304, res
    assert res.header("Last-Modified") == TEA_DATE


def test_a_file_with_a_foreign_etag_fails_if_match_with_412(dated):
    res = fetch(dated, "GET", "/dated.txt", headers=[("If-Match", '"not-this-one"')])
    assert res.status == 412, res


@h1_only
@pytest.mark.parametrize("date,expected", [(TEA_DATE, "304"), (EARLIER, "200")])
def test_curl_time_condition_gets_304_or_the_file(dated, tmp_path, date, expected):
    """HTTP/1.1 only: curl asks as it does by default."""
    out = subprocess.run(
        ["curl", "-sS", "-o", str(tmp_path / "body"), "-w", "%{http_code}", "-z", date,
         f"http://127.0.0.1:{dated.port}/dated.txt"],
        capture_output=True, timeout=20, check=True,
    )
    assert out.stdout.decode() == expected
