"""The access log (Common, Combined, JSON lines) and the error log (levels), read from their
files after real requests: every field of a line, the escaping that keeps a hostile request
line inside its quotes, UTF-8 kept in JSON, what a refused request's line still tells, and
failed Basic authentication logged without its password.

Servers run `teapot serve --config FILE` (or `teapot serve DIR --access-log`) and are stopped
by their PID with SIGTERM at the end of each test, which then fails unless the server exited
with status 0 and left no sanitizer report on stderr.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import time
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, require, sha512_crypt
from wire import Conn, request

PASSWORD = "s3cret-Pa55word"
CLF = re.compile(
    r'^(?P<client>\S+) - - \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
    r"(?P<status>\d{3}) (?P<bytes>\d+)"
    r'(?: "(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?$'
)
CLF_TIME = re.compile(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")


def config_text(tmp: Path, fmt: str, level: str = "info", auth: bool = False) -> str:
    text = f"""\
[server]
listen = ["127.0.0.1:1"]
workers = 2
drain_timeout = "1s"

[access_log]
format = "{fmt}"
path = "{tmp / "access.log"}"

[error_log]
level = "{level}"
path = "{tmp / "error.log"}"

[[sites]]
default = true
root = "{tmp / "site"}"
"""
    if auth:
        text += f"""
[sites.auth]
htpasswd = "{tmp / "htpasswd"}"

[[sites.auth.paths]]
prefix = "/private/"
users = ["*"]
"""
    return text


@pytest.fixture
def logged(start_server, tmp_path: Path):
    """Factory: logged(format, level="info", auth=False) starts teapot logging to files."""
    require(TEAPOT_BIN, "teapot")
    build_docroot(tmp_path / "site")
    (tmp_path / "site" / "private").mkdir()
    (tmp_path / "site" / "private" / "p.txt").write_bytes(b"private\n")
    (tmp_path / "htpasswd").write_text(f"alice:{sha512_crypt(PASSWORD)}\n")

    def start(fmt: str, level: str = "info", auth: bool = False):
        config = tmp_path / "teapot.toml"
        config.write_text(config_text(tmp_path, fmt, level, auth))
        return start_server([TEAPOT_BIN, "serve", "--config", config], "logged")

    return start


def lines_of(path: Path, count: int, seconds: float = 5.0) -> list[str]:
    """The file's lines once it has at least count of them (the writer flushes each second)."""
    deadline = time.monotonic() + seconds
    while True:
        # Strict: every line of every format must be UTF-8 (Common and Combined are ASCII).
        text = path.read_bytes().decode("utf-8") if path.exists() else ""
        lines = text.splitlines()
        if len(lines) >= count:
            return lines
        if time.monotonic() > deadline:
            pytest.fail(f"{path} has {len(lines)} lines, expected {count}:\n{text}")
        time.sleep(0.05)


def send(port: int, data: bytes, head: bool = False) -> int:
    with Conn(port) as c:
        c.send(data)
        return c.read_response(head=head).status


def get_with(port: int, target: str, **headers: str) -> int:
    fields = [(k.replace("_", "-"), v) for k, v in headers.items()]
    return send(port, request("GET", target, headers=fields + [("Connection", "close")]))


def test_combined_lines_hold_every_field_of_the_response(logged, tmp_path: Path):
    srv = logged("combined")
    assert get_with(srv.port, "/hello.txt?x=1", Referer="http://ref.example/p",
                    User_Agent="probe/1.0") == 200
    [line] = lines_of(tmp_path / "access.log", 1)
    m = CLF.match(line)
    assert m, line
    assert m["client"] == "127.0.0.1"
    assert CLF_TIME.match(m["time"]), m["time"]
    assert m["request"] == "GET /hello.txt?x=1 HTTP/1.1"
    assert m["status"] == "200"
    assert int(m["bytes"]) == len(b"Hello, file!\n")
    assert m["referer"] == "http://ref.example/p"
    assert m["agent"] == "probe/1.0"


def test_common_lines_stop_after_the_byte_count_and_count_no_body_for_head_or_304(
    logged, tmp_path: Path
):
    srv = logged("common")
    head_request = request("HEAD", "/hello.txt", headers=[("Connection", "close")])
    assert send(srv.port, head_request, head=True) == 200
    assert get_with(srv.port, "/missing.txt", Referer="http://x/") == 404
    assert get_with(srv.port, "/one.txt", If_None_Match="*") == 304
    lines = lines_of(tmp_path / "access.log", 3)
    by_request = {CLF.match(l)["request"]: CLF.match(l) for l in lines}
    head = by_request["HEAD /hello.txt HTTP/1.1"]
    assert (head["status"], head["bytes"], head["referer"]) == ("200", "0", None)
    missing = by_request["GET /missing.txt HTTP/1.1"]
    assert missing["status"] == "404" and int(missing["bytes"]) > 0
    assert missing["referer"] is None and missing["agent"] is None
    not_modified = by_request["GET /one.txt HTTP/1.1"]
    assert (not_modified["status"], not_modified["bytes"]) == ("304", "0")


def test_json_lines_parse_and_name_each_field(logged, tmp_path: Path):
    srv = logged("json")
    assert get_with(srv.port, "/hello.txt", User_Agent="probe/2.0") == 200
    [line] = lines_of(tmp_path / "access.log", 1)
    entry = json.loads(line)
    assert list(entry) == ["time", "client", "host", "request", "method", "target", "protocol",
                           "status", "bytes", "duration", "referer", "user_agent"], entry
    assert entry["client"] == "127.0.0.1"
    assert entry["host"] == "localhost"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", entry["time"])
    assert entry["request"] == "GET /hello.txt HTTP/1.1"
    assert (entry["method"], entry["target"], entry["protocol"]) == (
        "GET", "/hello.txt", "HTTP/1.1")
    assert entry["status"] == 200 and entry["bytes"] == len(b"Hello, file!\n")
    assert isinstance(entry["duration"], float) and 0 <= entry["duration"] < 1, entry
    assert re.search(r',"duration":\d+\.\d{3},', line), line  # seconds.milliseconds
    assert entry["referer"] is None and entry["user_agent"] == "probe/2.0"


def test_json_duration_runs_from_the_first_byte_of_the_request(logged, tmp_path: Path):
    srv = logged("json")
    with Conn(srv.port) as c:
        c.send(b"GET /hello.txt HTTP/1.1\r\nHost: slow.example\r\n")
        time.sleep(0.4)  # the head is finished later: nginx's $request_time counts this
        c.send(b"Connection: close\r\n\r\n")
        assert c.read_response().status == 200
    [entry] = [json.loads(l) for l in lines_of(tmp_path / "access.log", 1)]
    assert 0.4 <= entry["duration"] < 3, entry
    assert entry["host"] == "slow.example"


def test_json_host_is_the_authority_of_an_absolute_form_target(logged, tmp_path: Path):
    srv = logged("json")
    raw = request("GET", "http://abs.example:8080/hello.txt", host="other.example",
                  headers=[("Connection", "close")])
    assert send(srv.port, raw) == 200
    [entry] = [json.loads(l) for l in lines_of(tmp_path / "access.log", 1)]
    assert entry["host"] == "abs.example:8080", entry  # RFC 9112 §3.2.2: it replaces Host


def test_json_keeps_utf8_as_sent_and_writes_u_fffd_for_what_is_not_utf8(logged, tmp_path: Path):
    srv = logged("json")
    agent = "navigateur café ☕ 🫖".encode()
    assert send(srv.port, b"GET /hello.txt?q=caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\nUser-Agent: " +
                agent + b"\r\nReferer: http://r/\xe9t\xe9\r\nConnection: close\r\n\r\n") == 200
    [line] = lines_of(tmp_path / "access.log", 1)
    assert "café ☕ 🫖" in line and "\\u00" not in line, line  # as UTF-8, not \u00c3\u00a9
    entry = json.loads(line)
    assert entry["user_agent"] == agent.decode()
    assert entry["target"] == "/hello.txt?q=café"
    assert entry["referer"] == b"http://r/\xe9t\xe9".decode("utf-8", "replace") == "http://r/\ufffdt\ufffd"


HOSTILE_AGENT = b'evil "quoted" \\ agent \xe9'
HOSTILE_LINE = b'GET /a"b\\c\x01 HTTP/1.1'


def hostile_requests(port: int) -> None:
    # A control byte in the target (after a quote and a backslash, which are taken): 400,
    # logged as it came.
    assert send(port, HOSTILE_LINE + b"\r\nHost: x\r\n\r\n") == 400
    # Quotes, a backslash and obs-text in a field value are allowed (RFC 9110 §5.5).
    assert send(port, b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: " + HOSTILE_AGENT +
                b"\r\nConnection: close\r\n\r\n") == 200


def test_quotes_and_control_bytes_stay_inside_their_field_in_combined_lines(
    logged, tmp_path: Path
):
    srv = logged("combined")
    hostile_requests(srv.port)
    lines = lines_of(tmp_path / "access.log", 2)
    assert len(lines) == 2  # nothing forged a line
    assert all(l.isascii() for l in lines), lines
    matches = [CLF.match(l) for l in lines]
    assert all(matches), lines
    by_status = {m["status"]: m for m in matches}
    assert by_status["400"]["request"] == r'GET /a\"b\\c\x01 HTTP/1.1'
    assert by_status["200"]["agent"] == r'evil \"quoted\" \\ agent \xe9'


def test_quotes_and_control_bytes_are_escaped_so_json_lines_parse(logged, tmp_path: Path):
    srv = logged("json")
    hostile_requests(srv.port)
    entries = [json.loads(l) for l in lines_of(tmp_path / "access.log", 2)]
    by_status = {e["status"]: e for e in entries}
    assert by_status[400]["request"] == HOSTILE_LINE.decode("latin-1")
    # The line has the shape method SP target SP version: its parts are logged as they came.
    assert (by_status[400]["method"], by_status[400]["target"], by_status[400]["protocol"]) == (
        "GET", '/a"b\\c\x01', "HTTP/1.1")
    # \xe9 alone is no UTF-8: one U+FFFD, so that the line stays valid UTF-8 JSON.
    assert by_status[200]["user_agent"] == HOSTILE_AGENT.decode("utf-8", "replace")


REFUSED = (b"GET /a\x01b HTTP/1.1\r\nHost: site.example\r\nReferer: http://from.example/\r\n"
           b"User-Agent: probe/3.0\r\n\r\n")


def test_a_refused_request_keeps_its_referer_and_user_agent_in_combined_lines(
    logged, tmp_path: Path
):
    srv = logged("combined")
    assert send(srv.port, REFUSED) == 400
    [line] = lines_of(tmp_path / "access.log", 1)
    m = CLF.match(line)
    assert m, line
    assert m["request"] == r"GET /a\x01b HTTP/1.1" and m["status"] == "400"
    assert (m["referer"], m["agent"]) == ("http://from.example/", "probe/3.0")


def test_a_refused_request_logs_what_was_read_of_it_in_json(logged, tmp_path: Path):
    srv = logged("json")
    assert send(srv.port, REFUSED) == 400
    # Refused after the head: a chunk size that is no number.
    assert send(srv.port, b"POST /hello.txt HTTP/1.1\r\nHost: body.example\r\nUser-Agent: up/1\r\n"
                b"Transfer-Encoding: chunked\r\n\r\nzz\r\n") == 400
    entries = [json.loads(l) for l in lines_of(tmp_path / "access.log", 2)]
    by_host = {e["host"]: e for e in entries}
    bad_target = by_host["site.example"]
    assert (bad_target["method"], bad_target["target"], bad_target["protocol"]) == (
        "GET", "/a\x01b", "HTTP/1.1")
    assert bad_target["referer"] == "http://from.example/"
    assert bad_target["user_agent"] == "probe/3.0"
    assert bad_target["status"] == 400 and bad_target["duration"] is not None
    bad_body = by_host["body.example"]
    assert (bad_body["method"], bad_body["target"], bad_body["user_agent"]) == (
        "POST", "/hello.txt", "up/1")


def test_a_refused_request_after_a_served_one_is_logged_with_its_own_fields(
    logged, tmp_path: Path
):
    srv = logged("json")
    first = request("GET", "/hello.txt", headers=[("User-Agent", "first/1"),
                                                  ("Referer", "http://first/")])
    with Conn(srv.port) as c:
        c.send(first + b"GET /x\x7f HTTP/1.1\r\nHost: second.example\r\n\r\n")
        assert c.read_response().status == 200
        assert c.read_response().status == 400
    entries = [json.loads(l) for l in lines_of(tmp_path / "access.log", 2)]
    refused = next(e for e in entries if e["status"] == 400)
    assert refused["target"] == "/x\x7f" and refused["host"] == "second.example", refused
    assert refused["user_agent"] is None and refused["referer"] is None, refused


def basic(user: str, password: str) -> tuple[str, str]:
    return ("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())


def test_failed_basic_auth_is_logged_at_warn_with_user_and_address_never_the_password(
    logged, tmp_path: Path
):
    srv = logged("combined", auth=True)
    wrong = PASSWORD[::-1]
    assert send(srv.port, request("GET", "/private/p.txt", headers=[basic("alice", wrong)])) == 401
    assert send(srv.port, request("GET", "/private/p.txt", headers=[basic("mallory", PASSWORD)])) == 401
    assert send(srv.port, request("GET", "/private/p.txt", headers=[basic("alice", PASSWORD)])) == 200
    log = tmp_path / "error.log"
    lines = [l for l in lines_of(log, 2) if "basic auth" in l]
    assert len(lines) == 2, lines
    assert all(" [warn] " in l and "127.0.0.1" in l for l in lines)
    assert '"alice"' in lines[0] and "wrong password" in lines[0]
    assert '"mallory"' in lines[1] and "unknown user" in lines[1]
    text = log.read_text()
    assert PASSWORD not in text and wrong not in text


def test_the_error_log_writes_only_messages_at_or_above_its_level(logged, tmp_path: Path):
    srv = logged("combined", level="warn", auth=True)
    srv.signal(signal.SIGUSR1)  # "logs reopened" is info: filtered out
    assert send(srv.port, request("GET", "/private/p.txt", headers=[basic("bob", "x")])) == 401
    lines = lines_of(tmp_path / "error.log", 1)
    time.sleep(1.2)  # anything else queued would be written by now
    lines = lines_of(tmp_path / "error.log", 1)
    assert len(lines) == 1 and " [warn] " in lines[0] and '"bob"' in lines[0], lines
    assert not any("[info]" in l for l in lines)


def test_an_error_level_log_leaves_out_warnings(logged, tmp_path: Path):
    srv = logged("combined", level="error", auth=True)
    srv.signal(signal.SIGUSR1)
    assert send(srv.port, request("GET", "/private/p.txt", headers=[basic("bob", "x")])) == 401
    time.sleep(1.5)
    assert not (tmp_path / "error.log").read_text()


def test_serve_without_a_config_writes_an_access_log_when_asked(serve, tmp_path: Path):
    log = tmp_path / "cli-access.log"
    srv = serve("--access-log", str(log), "--access-log-format", "json")
    assert get_with(srv.port, "/hello.txt") == 200
    [line] = lines_of(log, 1)
    assert json.loads(line)["target"] == "/hello.txt"
