"""Graceful shutdown on SIGTERM, and the command line: `teapot explain`, `teapot --help`,
`teapot --version`, and the rough edges a first run met (serving the working directory, readable
help and errors)."""

from __future__ import annotations

import csv
import json
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, SHARED_DIR, TEAPOT_BIN, free_port, run_cli
from wire import Conn, WireError, exchange, request

# -- graceful shutdown -----------------------------------------------------------------------


def is_served(port: int) -> bool:
    """Whether a new connection gets an answer (False once the server stops accepting)."""
    try:
        with Conn(port, timeout=1.0) as c:
            c.send(request("GET", "/hello"))
            return c.read_response(timeout=1.0).status == 200
    except (OSError, WireError):
        return False


def test_sigterm_lets_a_request_whose_body_is_still_arriving_complete(hello):
    with Conn(hello.port) as c:
        c.send(request("POST", "/echo", headers=[("Content-Length", "10")]) + b"hello")
        time.sleep(0.3)
        hello.signal(signal.SIGTERM)
        time.sleep(0.3)
        assert not is_served(hello.port), "a new connection was served after SIGTERM"
        c.send(b"world")  # the rest of the body, after the signal
        res = c.read_response(timeout=5)
        assert res.status == 200 and res.body == b"helloworld", res
        assert c.closes_within(3.0) == b""
    assert hello.wait(timeout=5) == 0


def test_sigterm_lets_a_deferred_response_in_flight_complete(hello):
    with Conn(hello.port) as c:
        c.send(request("GET", "/slow"))
        time.sleep(0.02)
        hello.signal(signal.SIGTERM)
        res = c.read_response(timeout=5)
        assert res.status == 200 and res.body == b"Thanks for waiting.", res
    assert hello.wait(timeout=5) == 0


def test_sigterm_closes_idle_keep_alive_connections_and_exits_at_once(teapot):
    with Conn(teapot.port) as c:
        c.send(request("GET", "/hello.txt"))
        assert c.read_response().status == 200
        start = time.monotonic()
        teapot.signal(signal.SIGTERM)
        assert c.closes_within(2.0) == b""
        assert teapot.wait(timeout=3) == 0
        assert time.monotonic() - start < 2.0


def test_sigterm_gives_up_on_a_stalled_request_after_the_drain_timeout(serve):
    srv = serve("--drain-timeout", "1s", "--body-timeout", "30s")
    with Conn(srv.port) as c:
        c.send(request("POST", "/hello.txt", headers=[("Content-Length", "100")]) + b"part")
        time.sleep(0.2)
        start = time.monotonic()
        srv.signal(signal.SIGTERM)
        code = srv.wait(timeout=5)
        elapsed = time.monotonic() - start
    assert code == 0, f"exit status {code}"
    assert elapsed < 3.0, f"exited {elapsed:.2f}s after SIGTERM with a 1s drain timeout"


def test_sigint_also_stops_the_server_gracefully(teapot):
    teapot.signal(signal.SIGINT)
    assert teapot.wait(timeout=5) == 0


# -- teapot explain ----------------------------------------------------------------------------


def iana_codes() -> list[int]:
    with open(SHARED_DIR / "iana-status-codes.csv", newline="") as f:
        return [int(row["code"]) for row in csv.DictReader(f)]


def test_explain_404_prints_name_class_meaning_and_rfc_section():
    p = run_cli("explain", "404")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")
    assert "404" in out and "Not Found" in out, out
    assert re.search(r"client error|4xx", out, re.I), out
    assert "RFC 9110" in out and "15.5.5" in out, out


def test_explain_404_in_french_is_accented_utf8():
    p = run_cli("explain", "404", "--lang", "fr")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")  # strict: invalid UTF-8 fails here
    assert "404" in out
    assert re.search("[\u00e0\u00e2\u00e7\u00e8\u00e9\u00ea\u00ee\u00f4\u00fb\u00f9]", out), out
    assert out != run_cli("explain", "404").stdout.decode("utf-8")


def test_explain_takes_a_language_tag_in_any_case():
    # BCP 47 tags are case-insensitive (RFC 5646 §2.1.1).
    p = run_cli("explain", "404", "--lang", "FR")
    assert p.returncode == 0, p.stderr
    assert p.stdout == run_cli("explain", "404", "--lang", "fr").stdout


def test_explain_says_may_where_the_rfc_says_may():
    out = run_cli("explain", "429").stdout.decode()
    assert "Required headers: none\n" in out and "Retry-After (RFC 6585: may)" in out, out


@pytest.mark.parametrize(
    "code,header",
    [("405", "Allow"), ("401", "WWW-Authenticate"), ("416", "Content-Range"), ("301", "Location")],
)
def test_explain_names_the_headers_a_code_requires(code, header):
    p = run_cli("explain", code)
    assert p.returncode == 0, p.stderr
    assert header in p.stdout.decode("utf-8"), p.stdout


@pytest.mark.parametrize("arg", ["999", "600", "42", "306"])
def test_explain_of_an_unknown_or_unused_code_exits_2_or_says_unused(arg):
    p = run_cli("explain", arg)
    if arg == "306":  # registered as "(Unused)": explained as such, never an error
        assert p.returncode == 0 and "306" in p.stdout.decode("utf-8"), (p.stdout, p.stderr)
    else:
        assert p.returncode == 2, (p.stdout, p.stderr)


def test_explain_of_something_that_is_not_a_number_fails():
    p = run_cli("explain", "abc")
    assert p.returncode != 0, (p.stdout, p.stderr)


def test_explain_knows_every_registered_code_in_english_and_french():
    codes = iana_codes()
    assert len(codes) >= 60
    missing = []
    for code in codes:
        for lang in ("en", "fr"):
            p = run_cli("explain", str(code), "--lang", lang)
            try:
                text = p.stdout.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            if p.returncode != 0 or str(code) not in text:
                missing.append(f"{code}/{lang} (exit {p.returncode})")
    assert not missing, "explain fails for: " + ", ".join(missing)


# -- teapot --help -----------------------------------------------------------------------------

FLAGS = [
    "--listen",
    "--workers",
    "--blocking-threads",
    "--max-request-line",
    "--max-field-line",
    "--max-header-section",
    "--max-fields",
    "--max-body",
    "--max-chunk-line",
    "--max-chunk-extensions",
    "--header-timeout",
    "--body-timeout",
    "--body-min-rate",
    "--keep-alive-timeout",
    "--drain-timeout",
]


def test_help_names_the_subcommands():
    p = run_cli("--help")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")
    assert "serve" in out and "explain" in out, out


def test_serve_help_lists_every_flag():
    p = run_cli("serve", "--help")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")
    missing = [f for f in FLAGS if f not in out]
    assert not missing, f"serve --help does not mention {missing}:\n{out}"


def test_an_unknown_flag_is_refused_with_a_nonzero_exit(tmp_path):
    listen = f"127.0.0.1:{free_port()}"
    p = run_cli("serve", str(tmp_path), "--listen", listen, "--no-such-flag", timeout=10)
    assert p.returncode != 0


@pytest.mark.parametrize("flag,value", [("--max-body", "lots"), ("--header-timeout", "soon")])
def test_a_malformed_size_or_duration_is_refused(tmp_path, flag, value):
    listen = f"127.0.0.1:{free_port()}"
    p = run_cli("serve", str(tmp_path), "--listen", listen, flag, value, timeout=10)
    assert p.returncode != 0


# -- teapot --version --------------------------------------------------------------------------

# What each line of --version names, and the pkg-config package whose version it must show.
VERSION_LIBRARIES = [
    ("zlib", "zlib"),
    ("brotli", "libbrotlienc"),
    ("zstd", "libzstd"),
    ("expat", "expat"),
    ("sqlite", "sqlite3"),
]


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)


def test_version_names_the_release_the_commit_and_each_linked_library():
    p = run_cli("--version")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode("utf-8").splitlines()
    first = re.fullmatch(r"teapot (0\.\d+\.\d+) \(commit ([0-9a-f]{7,40}|unknown)\)", lines[0])
    assert first, f"first line: {lines[0]!r}"
    project = re.search(r"project\(teapot VERSION (\S+)", (REPO / "CMakeLists.txt").read_text())
    assert first.group(1) == project.group(1)
    commit = first.group(2)
    top = git("rev-parse", "--show-toplevel")
    if top.returncode == 0 and Path(top.stdout.strip()).resolve() == REPO.resolve():
        assert git("cat-file", "-e", f"{commit}^{{commit}}").returncode == 0, (
            f"{commit!r} is not a commit of this checkout"
        )
    else:
        assert commit == "unknown"
    expected = []
    for name, package in VERSION_LIBRARIES:
        modversion = subprocess.run(["pkg-config", "--modversion", package], capture_output=True,
                                    text=True, check=True).stdout.strip()
        expected.append(f"{name} {modversion}")
    assert lines[1:] == expected


# -- the rough edges a first run met --------------------------------------------------------


def test_serve_without_dir_serves_the_working_directory(start_server, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    (here / "page.txt").write_bytes(b"from the working directory\n")
    binary = TEAPOT_BIN.resolve()  # before the chdir: the path may be relative
    monkeypatch.chdir(here)
    s = start_server([binary, "serve"], "teapot")
    r = exchange(s.port, request("GET", "/page.txt"))
    assert r.status == 200 and r.body == b"from the working directory\n", r
    # The log is written by a thread of its own: the line may come a moment later.
    deadline = time.monotonic() + 10
    while f"serving {here} on 127.0.0.1:{s.port}" not in s.stderr():
        assert time.monotonic() < deadline, s.stderr()
        time.sleep(0.02)


# What CLI11 shows of a validator or a negated flag unless told otherwise.
PARSER_INTERNALS = ["ENUM", "->", "{false}", "{true}", " OR ", "TEXT:", "UINT:", "in ["]


def test_serve_help_shows_choices_as_words_and_no_parser_internals():
    out = run_cli("serve", "--help").stdout.decode("utf-8")
    for shown in [
        "--access-log-format common|combined|json",
        "Format of the access log (default combined)",
        "--negotiation lenient|strict|multiple-choices",
        "--blocking-threads 1-256",
        "--no-nosniff ",
        "--no-precompressed ",
        "--listen ADDRESS ...",
        "(default 127.0.0.1:8080)",
    ]:
        assert shown in out, f"{shown!r} not in:\n{out}"
    internals = [i for i in PARSER_INTERNALS if i in out]
    assert not internals, f"serve --help shows {internals}:\n{out}"


def test_serve_help_points_to_the_man_page_not_to_the_source_tree():
    out = run_cli("serve", "--help").stdout.decode("utf-8")
    assert "teapot.toml(5)" in out
    assert "docs/" not in out


@pytest.mark.parametrize(
    "flag,value,choices",
    [
        ("--access-log-format", "xml", "common|combined|json"),
        ("--negotiation", "maybe", "lenient|strict|multiple-choices"),
    ],
)
def test_a_value_not_among_the_choices_is_refused_with_every_choice(tmp_path, flag, value, choices):
    p = run_cli("serve", str(tmp_path), "--listen", f"127.0.0.1:{free_port()}", flag, value)
    assert p.returncode != 0
    err = p.stderr.decode("utf-8")
    assert f"{flag}: '{value}' is not one of {choices}" in err, err


def test_a_choice_is_taken_in_any_case(serve):
    s = serve("--access-log", "-", "--access-log-format", "JSON")
    assert exchange(s.port, request("GET", "/hello.txt")).status == 200
    s.stop()
    line = (s.log_dir / f"{s.name}.stdout").read_text().splitlines()[0]
    assert json.loads(line)["status"] == 200, line


def test_the_flags_that_turn_a_default_off_turn_it_off(serve):
    on = exchange(serve().port, request("GET", "/hello.txt"))
    off = exchange(serve("--no-nosniff").port, request("GET", "/hello.txt"))
    assert on.header("X-Content-Type-Options") == "nosniff"
    assert off.header("X-Content-Type-Options") is None


def test_a_listen_address_without_a_host_says_the_host_is_missing(tmp_path):
    p = run_cli("serve", str(tmp_path), "--listen", "19503")
    assert p.returncode != 0
    err = p.stderr.decode("utf-8")
    assert (
        'invalid listen address "19503": missing host: write 127.0.0.1:19503 for this machine '
        "only, or :19503 for every IPv4 interface" in err
    ), err


def test_a_port_in_use_is_said_once(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        p = run_cli("serve", str(tmp_path), "--listen", f"127.0.0.1:{port}")
    assert p.returncode != 0
    err = p.stderr.decode("utf-8")
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in err, err
    assert err.lower().count("in use") == 1, err
