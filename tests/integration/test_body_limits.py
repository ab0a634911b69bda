"""Body limits by path prefix ([[server.body_limits]]) over real sockets: the longest matching
prefix wins over server.limits.body; a Content-Length past the limit gets 413 from the head
alone (before the body, and instead of 100 Continue), a chunked body gets it once its decoded
bytes pass the limit; the 413 closes the connection and is the site's own page.

The site serves files only, so a POST that was read gets the router's 405: a 405 proves "the
body was accepted", a 413 that it was not.

Each test runs over HTTP/1.1, h2c and h2 (transports.py). HTTP/2 has no chunked coding: its
content of unsaid length is DATA frames without content-length. After a 413 an HTTP/1.1
connection closes (the rest of the body would be read as a request), while an HTTP/2 one goes
on: only the stream ends (RFC 9113 §8.1, docs/http2.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, require
from transports import connect

DEFAULT = 1000
LIMITS = {  # path -> the limit that applies there
    "/hello.txt": DEFAULT,
    "/upload/a.bin": 5000,  # [[server.body_limits]] "/upload/"
    "/upload/small/a.bin": 100,  # the longer prefix "/upload/small/" wins
    "/uploads": DEFAULT,  # "/upload/" is not a prefix of it
}
OWN_413 = b"<!DOCTYPE html>\n<title>Too big</title>\n<p>Send less.</p>\n"

CONFIG = f"""\
[server]
listen = ["127.0.0.1:1"]
workers = 1
drain_timeout = "1s"

[server.limits]
body = {DEFAULT}

[[server.body_limits]]
prefix = "/upload/"
max = 5000

[[server.body_limits]]
prefix = "/upload/small/"
max = 100

[[sites]]
default = true
root = "site"

[sites.error_pages]
files = {{ "413" = "413.html" }}
"""


@pytest.fixture
def limited(start_server, tmp_path: Path, transport):
    require(TEAPOT_BIN, "teapot")
    build_docroot(tmp_path / "site")
    (tmp_path / "413.html").write_bytes(OWN_413)
    config = tmp_path / "teapot.toml"
    text, tls_port = transport.configure(CONFIG)
    config.write_text(text)
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-limits")
    return transport.attach(server, tls_port)


def with_length(path: str, size: int, *, send_body: bool = True, extra=()) -> dict:
    """A POST with Content-Length: size, and the body unless send_body is False (the client
    then waits before it)."""
    return dict(target=path, headers=[("Content-Length", str(size)), *extra],
                body=b"x" * size if send_body else b"", content_length=False,
                complete=send_body)


def with_chunks(path: str, size: int) -> dict:
    """A POST whose body of size bytes comes in two pieces of a length said nowhere."""
    half = size // 2
    return dict(target=path, body=b"a" * half + b"b" * (size - half), chunked_body=True)


def assert_accepted_and_kept_alive(srv, request: dict) -> None:
    with connect(srv) as c:
        res = c.fetch("POST", **request)
        assert res.status == 405, f"sent {request['target']}: got {res!r}"
        assert not res.interim, res.interim
        assert not res.has_token("Connection", "close"), res
        # The whole body was read: the next request on the connection is answered.
        assert c.fetch("GET", "/hello.txt").body == b"Hello, file!\n"


def assert_refused_then_closed(srv, request: dict) -> None:
    with connect(srv) as c:
        res = c.fetch("POST", **request)
        assert res.status == 413, f"sent {request['target']}: got {res!r}"
        assert not res.interim, f"an interim response before the 413: {res.interim!r}"
        assert res.body == OWN_413, res
        assert res.header("Content-Type") == "text/html; charset=utf-8", res
        if c.transport == "h1":
            assert res.has_token("Connection", "close"), res
            assert c.closes_within(1.0) == b""
        else:  # only the stream ended: the connection answers the next one
            assert c.fetch("GET", "/hello.txt").body == b"Hello, file!\n"


@pytest.mark.parametrize("path", LIMITS)
def test_a_content_length_at_the_limit_of_its_path_is_read(limited, path):
    assert_accepted_and_kept_alive(limited, with_length(path, LIMITS[path]))


@pytest.mark.parametrize("path", LIMITS)
def test_a_content_length_one_byte_past_the_limit_gets_413_before_the_body_is_sent(limited, path):
    assert_refused_then_closed(limited, with_length(path, LIMITS[path] + 1, send_body=False))


@pytest.mark.parametrize("path", LIMITS)
def test_a_chunked_body_at_the_limit_of_its_path_is_read(limited, path):
    assert_accepted_and_kept_alive(limited, with_chunks(path, LIMITS[path]))


@pytest.mark.parametrize("path", LIMITS)
def test_a_chunked_body_one_byte_past_the_limit_gets_413(limited, path):
    assert_refused_then_closed(limited, with_chunks(path, LIMITS[path] + 1))


@pytest.mark.parametrize("path", ["/hello.txt", "/upload/a.bin"])
def test_expect_100_continue_past_the_limit_gets_413_and_no_100(limited, path):
    raw = with_length(path, LIMITS[path] + 1, send_body=False, extra=[("Expect", "100-continue")])
    assert_refused_then_closed(limited, raw)


def test_a_prefix_is_matched_against_the_normalized_path(limited):
    # "/upload/small/../a.bin" is /upload/a.bin: the larger limit, not the small one.
    assert_accepted_and_kept_alive(limited, with_length("/upload/small/../a.bin", 5000))
    # And a dot-segment cannot reach a larger limit from outside it.
    assert_refused_then_closed(
        limited, with_length("/upload/../hello.txt", DEFAULT + 1, send_body=False)
    )
