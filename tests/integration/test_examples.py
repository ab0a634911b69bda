"""The example programs: the statuses an application means (100, 103, 202, 205, 303, 500) and
what the library does around a handler (deferred answers, bodies, ordering).

The tests of what a handler answers run over HTTP/1.1, h2c and h2 (transports.py); those
marked h1_only are about HTTP/1.1 itself (100-continue as a client waits for it, chunked and
HTTP/1.0 framing, pipelining, what closes a connection) or about curl and http.client."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import time

import pytest

from conftest import EXAMPLES_DIR, require
from transports import connect, fetch, h1_only
from wire import Conn, chunked, exchange, request

MiB = 1024 * 1024


def start_example(start_server, transport, name: str):
    exe = EXAMPLES_DIR / f"example_{name}"
    require(exe, f"example_{name}")
    flags, tls_port = transport.example_flags()
    return transport.attach(start_server([exe, *flags], name), tls_port)


@pytest.fixture
def hello(start_server, transport):
    """The hello example, reached by the transport."""
    return start_example(start_server, transport, "hello")


@pytest.fixture
def jobs(start_server, transport):
    """The jobs example, reached by the transport."""
    return start_example(start_server, transport, "jobs")


# -- hello -------------------------------------------------------------------------------------


def test_hello_says_hello_world_in_utf8_text(hello):
    res = fetch(hello, "GET", "/hello")
    assert res.status == 200, res
    assert res.body == b"Hello, World!"
    assert res.header("Content-Type").lower().replace(" ", "") == "text/plain;charset=utf-8"


def test_an_unrouted_path_gives_404_and_an_unrouted_method_gives_405(hello):
    assert fetch(hello, "GET", "/nothing-here").status == 404
    res = fetch(hello, "DELETE", "/hello")
    assert res.status == 405, res
    assert "GET" in {t.strip() for t in (res.header("Allow") or "").split(",")}, res


@h1_only
def test_expect_100_continue_gets_100_before_the_body_is_sent_then_200(hello):
    with Conn(hello.port) as c:
        expect = [("Content-Length", "5"), ("Expect", "100-continue")]
        c.send(request("POST", "/echo", headers=expect))
        interim = c.read_response(timeout=3)  # the body is not sent until this arrives
        assert interim.status == 100, interim
        c.send(b"hello")
        res = c.read_response()
        assert res.status == 200 and res.body == b"hello", res


@h1_only
def test_expect_100_continue_works_with_a_chunked_body(hello):
    head = request(
        "POST", "/echo", headers=[("Transfer-Encoding", "chunked"), ("Expect", "100-continue")]
    )
    with Conn(hello.port) as c:
        c.send(head)
        assert c.read_response(timeout=3).status == 100
        c.send(chunked(b"hello", b", ", b"chunks"))
        res = c.read_response()
        assert res.status == 200 and res.body == b"hello, chunks", res


@h1_only
def test_expect_100_continue_on_a_refused_request_gets_413_and_no_100(hello):
    head = request(
        "POST", "/echo", headers=[("Content-Length", str(2 * MiB)), ("Expect", "100-continue")]
    )
    with Conn(hello.port) as c:
        c.send(head)
        res = c.read_response(timeout=3)
        assert res.status == 413, f"expected the final 413 and no 100 first, got {res!r}"
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(1.0) == b""


@h1_only
def test_curl_posts_with_expect_100_continue_and_gets_the_echo(hello, tmp_path):
    payload = tmp_path / "payload.bin"
    payload.write_bytes(bytes(range(256)) * 8)
    p = subprocess.run(
        ["curl", "-sS", "--fail", "-H", "Expect: 100-continue", "-H", "Content-Type: x/y",
         "--data-binary", f"@{payload}", f"http://127.0.0.1:{hello.port}/echo"],
        capture_output=True,
        timeout=20,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout == payload.read_bytes()


@h1_only
def test_a_chunked_body_with_extensions_and_trailers_is_echoed_de_chunked(hello):
    head = request("POST", "/echo", headers=[("Transfer-Encoding", "chunked")])
    body = b'5;name=value;q="quoted ; text"\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n'
    res = exchange(hello.port, head + body)
    assert res.status == 200 and res.body == b"hello world", res


def test_a_body_of_exactly_the_default_1mib_limit_is_echoed(hello):
    body = bytes(range(256)) * (MiB // 256)
    res = fetch(hello, "POST", "/echo", body=body, timeout=20)
    assert res.status == 200, res
    assert res.body == body


@h1_only
def test_a_body_one_byte_over_the_default_1mib_limit_gets_413(hello):
    with Conn(hello.port) as c:
        c.send(request("POST", "/echo", headers=[("Content-Length", str(MiB + 1))]))
        res = c.read_response(timeout=3)
        assert res.status == 413, res
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(1.0) == b""


@h1_only
def test_a_post_without_content_length_or_chunked_gets_411(hello):
    res = exchange(hello.port, request("POST", "/echo"))
    assert res.status == 411, res
    assert res.has_token("Connection", "close"), res


def test_a_throwing_handler_gives_500_revealing_nothing_and_the_connection_stays_usable(hello):
    with connect(hello) as c:
        res = c.fetch("GET", "/throw")
        assert res.status == 500, res
        assert b"secret" not in res.body.lower(), res
        assert not any("secret" in v.lower() for _, v in res.headers), res
        assert res.header("Content-Type").lower().replace(" ", "") == "text/html;charset=utf-8"
        assert not res.has_token("Connection", "close"), "the connection should stay usable"
        again = c.fetch("GET", "/hello")
        assert again.status == 200 and again.body == b"Hello, World!", again


def test_a_deferred_response_arrives_after_its_delay(hello):
    start = time.monotonic()
    res = fetch(hello, "GET", "/slow")
    elapsed = time.monotonic() - start
    assert res.status == 200 and res.body, res
    assert elapsed >= 0.09, f"answered after {elapsed:.3f}s, before its 100 ms"


@h1_only
def test_pipelined_requests_behind_a_deferred_one_are_answered_in_order(hello):
    with Conn(hello.port) as c:
        c.send(request("GET", "/slow") + request("GET", "/hello") + request("GET", "/slow"))
        first, second, third = (c.read_response() for _ in range(3))
    assert first.body == b"Thanks for waiting." and third.body == first.body
    assert second.body == b"Hello, World!"


def test_early_hints_103_carries_the_link_and_is_followed_by_200(hello):
    res = fetch(hello, "GET", "/hints")
    interims = res.interim
    assert [i.status for i in interims] == [103], interims
    assert interims[0].header("Link") == "</style.css>; rel=preload; as=style"
    assert interims[0].header("Content-Length") is None
    assert res.status == 200 and b"Hello" in res.body, res


@h1_only
def test_an_http10_client_gets_no_103_only_the_200(hello):
    with Conn(hello.port) as c:
        c.send(b"GET /hints HTTP/1.0\r\n\r\n")
        res = c.read_response()
    assert res.status == 200, res


@h1_only
def test_curl_sees_the_final_200_after_a_103(hello):
    p = subprocess.run(
        ["curl", "-sS", "--fail", "-i", f"http://127.0.0.1:{hello.port}/hints"],
        capture_output=True,
        timeout=20,
    )
    assert p.returncode == 0, p.stderr
    statuses = re.findall(rb"^HTTP/1\.1 (\d{3})", p.stdout, re.M)
    assert statuses[-1] == b"200", p.stdout
    assert b"Hello, hinted World!" in p.stdout


class InterimSkippingResponse(http.client.HTTPResponse):
    """Python 3.11's http.client skips 100 Continue only, and hands any other 1xx over as if it
    were final. This reads past every 1xx but 101, as RFC 9110 15.2 asks of a client."""

    def _read_status(self):
        while True:
            version, status, reason = super()._read_status()
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            http.client.parse_headers(self.fp)  # the interim response's fields


@h1_only
def test_python_http_client_sees_the_final_200_after_a_103(hello):
    conn = http.client.HTTPConnection("127.0.0.1", hello.port, timeout=5)
    conn.response_class = InterimSkippingResponse
    try:
        conn.request("GET", "/hints")
        res = conn.getresponse()
        assert res.status == 200
        assert b"Hello, hinted World!" in res.read()
        conn.request("GET", "/hello")  # and the connection is still in step
        again = conn.getresponse()
        assert again.status == 200 and again.read() == b"Hello, World!"
    finally:
        conn.close()


# -- jobs --------------------------------------------------------------------------------------


def post_job(srv):
    res = fetch(srv, "POST", "/jobs", content_length=True)
    assert res.status == 202, res
    location = res.header("Location")
    assert location and re.fullmatch(r"/jobs/\d+", location), res
    assert res.header("Content-Type").startswith("application/json"), res
    json.loads(res.body)
    return location


def test_posting_a_job_gives_202_with_the_location_of_its_monitor(jobs):
    post_job(jobs)


def test_a_json_answer_is_application_json_without_charset_nor_ranges(jobs):
    # RFC 8259 §11 defines no charset parameter for application/json (a .json file gets the
    # same type); and content made per request offers no ranges it would not honour.
    res = fetch(jobs, "GET", post_job(jobs))
    assert res.status == 200, res
    assert res.header("Content-Type") == "application/json", res
    assert res.header("Accept-Ranges") is None, res


def test_a_running_job_monitor_says_running(jobs):
    monitor = post_job(jobs)
    res = fetch(jobs, "GET", monitor)
    assert res.status == 200, res
    assert json.loads(res.body) == {"state": "running"}
    assert fetch(jobs, "GET", monitor + "/result").status == 404


def test_a_finished_job_monitor_gives_303_to_its_result(jobs):
    monitor = post_job(jobs)
    time.sleep(0.4)  # jobs finish 300 ms after creation
    res = fetch(jobs, "GET", monitor)
    assert res.status == 303, res
    assert res.header("Location") == monitor + "/result"
    result = fetch(jobs, "GET", res.header("Location"))
    assert result.status == 200, result
    assert result.header("Content-Type").startswith("application/json")
    assert json.loads(result.body)["state"] == "done"


@h1_only
def test_curl_follows_the_303_of_a_finished_job_to_its_result(jobs):
    monitor = post_job(jobs)
    time.sleep(0.4)
    p = subprocess.run(
        ["curl", "-sS", "--fail", "-L", f"http://127.0.0.1:{jobs.port}{monitor}"],
        capture_output=True,
        timeout=20,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["state"] == "done"


@pytest.mark.parametrize("target", ["/jobs/999999", "/jobs/abc", "/jobs/999999/result"])
def test_an_unknown_job_gives_404(jobs, target):
    assert fetch(jobs, "GET", target).status == 404


def test_a_form_post_gives_205_with_no_body(jobs):
    with connect(jobs) as c:
        # RFC 9110 15.3.6: a 205 says its content is empty with Content-Length: 0 (or an empty
        # chunked body), or by closing; without either the reader below waits for the close.
        res = c.fetch("POST", "/form", body=b"name=tea")
        assert res.status == 205, res
        assert res.body == b"", res
        if c.h1 is None or res.header("Content-Length") == "0" or res.header("Transfer-Encoding"):
            # The GET behind it proves that no body bytes followed the 205's head.
            after = c.fetch("GET", "/jobs/999999")
            assert after.status == 404, after


def test_jobs_created_from_many_connections_get_distinct_ids(jobs):
    locations = {post_job(jobs) for _ in range(20)}
    assert len(locations) == 20


@h1_only
def test_a_body_of_unknown_length_is_sent_chunked_to_http11(hello):
    with Conn(hello.port) as c:
        c.send(request("GET", "/stream") + request("GET", "/hello"))
        res = c.read_response()
        assert res.status == 200, res
        assert res.header("Transfer-Encoding") == "chunked", res
        assert res.header("Content-Length") is None, res
        assert res.body == b"a body of a length nobody announced\n"
        # The chunked framing ended cleanly: the next response follows on the same connection.
        assert c.read_response().body == b"Hello, World!"


@h1_only
def test_a_body_of_unknown_length_ends_with_the_connection_for_http10(hello):
    with Conn(hello.port) as c:
        c.send(b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        res = c.read_response()
        assert res.status == 200, res
        assert res.header("Transfer-Encoding") is None and res.header("Content-Length") is None
        assert res.body == b"a body of a length nobody announced\n"
        assert c.eof
