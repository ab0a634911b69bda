"""The same requests to Debian's nginx and to `teapot serve`, on the same docroot: the status
codes must match, except where teapot deliberately differs (DEVIATIONS, each with the RFC
section that says why). nginx is started by the test as a single foreground process on a free
loopback port with a generated configuration, and stopped by its PID."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable

import pytest

from conftest import START_TIMEOUT, STOP_TIMEOUT, free_port
from wire import Response, exchange, request

NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
)

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian package 'nginx'): no peer to compare"
)

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        autoindex off;
        index index.html;
    }}
}}
"""

# A header list computed from the server's own GET /hello.txt (its own validators).
Headers = Callable[[Response], list[tuple[str, str]]]


def fixed(*pairs: tuple[str, str]) -> Headers:
    return lambda _first: list(pairs)


def own_etag(name: str) -> Headers:
    return lambda first: [(name, first.header("ETag") or '"none"')]


def own_date(name: str) -> Headers:
    return lambda first: [(name, first.header("Last-Modified") or "")]


LONG_AGO = "Sat, 01 Jan 2000 00:00:00 GMT"

# name → (method, target, headers)
CASES: dict[str, tuple[str, str, Headers]] = {
    "get-file": ("GET", "/hello.txt", fixed()),
    "head-file": ("HEAD", "/hello.txt", fixed()),
    "get-index-of-root": ("GET", "/", fixed()),
    "missing-file": ("GET", "/no-such.txt", fixed()),
    "missing-below-a-file": ("GET", "/hello.txt/x", fixed()),
    "directory-without-slash": ("GET", "/sub", fixed()),
    "directory-without-index": ("GET", "/sub/", fixed()),
    "dotfile": ("GET", "/.env", fixed()),
    "missing-dotfile": ("GET", "/.nothing", fixed()),
    "well-known": ("GET", "/.well-known/security.txt", fixed()),
    "symlink-out-of-root": ("GET", "/escape.txt", fixed()),
    "dot-dot-inside-root": ("GET", "/sub/../hello.txt", fixed()),
    "dot-dot-above-root": ("GET", "/../hello.txt", fixed()),
    "post-on-a-file": ("POST", "/hello.txt", fixed(("Content-Length", "0"))),
    "delete-on-a-file": ("DELETE", "/hello.txt", fixed()),
    "options-on-a-file": ("OPTIONS", "/hello.txt", fixed()),
    "if-none-match-current": ("GET", "/hello.txt", own_etag("If-None-Match")),
    "if-none-match-other": ("GET", "/hello.txt", fixed(("If-None-Match", '"other"'))),
    "if-none-match-star": ("GET", "/hello.txt", fixed(("If-None-Match", "*"))),
    "if-modified-since-current": ("GET", "/hello.txt", own_date("If-Modified-Since")),
    "if-modified-since-long-ago": ("GET", "/hello.txt", fixed(("If-Modified-Since", LONG_AGO))),
    "if-match-current": ("GET", "/hello.txt", own_etag("If-Match")),
    "if-match-other": ("GET", "/hello.txt", fixed(("If-Match", '"other"'))),
    "if-unmodified-since-long-ago": (
        "GET", "/hello.txt", fixed(("If-Unmodified-Since", LONG_AGO))),
    "range-first-bytes": ("GET", "/data.bin", fixed(("Range", "bytes=0-99"))),
    "range-suffix": ("GET", "/data.bin", fixed(("Range", "bytes=-100"))),
    "range-open-ended": ("GET", "/data.bin", fixed(("Range", "bytes=10000-"))),
    "range-multiple": ("GET", "/data.bin", fixed(("Range", "bytes=0-9,100-199"))),
    "range-unsatisfiable": ("GET", "/hello.txt", fixed(("Range", "bytes=1000-2000"))),
    "range-other-unit": ("GET", "/hello.txt", fixed(("Range", "items=0-1"))),
    "if-range-current-etag": (
        "GET", "/data.bin", lambda f: [("Range", "bytes=0-9"), ("If-Range", f.header("ETag"))]),
    "if-range-other-etag": (
        "GET", "/data.bin", fixed(("Range", "bytes=0-9"), ("If-Range", '"other"'))),
}

# name → (nginx's status, teapot's status, why teapot differs).
DEVIATIONS: dict[str, tuple[int, int, str]] = {
    "dotfile": (
        200, 403,
        "Hidden names are denied by default (RFC 9110 §17.3: names the operator never meant "
        "to publish, such as .env or .git, are a classic disclosure); nginx serves them unless "
        "configured otherwise.",
    ),
    "missing-dotfile": (
        404, 403,
        "The denial does not depend on existence, so that it reveals nothing about which hidden "
        "names exist (RFC 9110 §15.5.4 allows 403 for a refusal whatever the reason).",
    ),
    "symlink-out-of-root": (
        200, 403,
        "Symbolic links are followed only inside the root (RFC 9110 §17.3, attacks based on "
        "file and path names); nginx follows them unless disable_symlinks is set.",
    ),
    "options-on-a-file": (
        405, 204,
        "RFC 9110 §9.3.7: OPTIONS asks what the resource supports; a file answers with Allow. "
        "nginx's static module refuses every method but GET, HEAD and POST.",
    ),
}


@pytest.fixture
def side_root(tmp_path, docroot) -> Path:
    """conftest's docroot (files, a subdirectory, links out of the root) and hidden names."""
    root = docroot
    (root / ".env").write_bytes(b"SECRET=1\n")
    (root / ".well-known").mkdir()
    (root / ".well-known" / "security.txt").write_bytes(b"Contact: mailto:a@example.org\n")
    # nginx's workers may run as another user: let everyone read the docroot.
    for p in [tmp_path, *tmp_path.rglob("*")]:
        if not p.is_symlink():
            p.chmod(0o755 if p.is_dir() else 0o644)
    return root


def wait_for_port(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    pytest.fail(f"nginx not accepting after {START_TIMEOUT}s")


@pytest.fixture
def nginx(tmp_path, side_root):
    """A running nginx on side_root; yields its port, stops it by its PID."""
    work = tmp_path / "nginx"
    work.mkdir()
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=work, port=port, root=side_root))
    log = work / "error.log"
    with open(work / "stderr", "wb") as err:
        proc = subprocess.Popen(
            [NGINX, "-p", str(work), "-e", str(log), "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
        )
    try:
        wait_for_port(proc, port, work / "stderr")
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def both(nginx, serve, side_root):
    return {"nginx": nginx, "teapot": serve(root=side_root).port}


def status_of(port: int, case: str) -> tuple[int, Response]:
    method, target, headers = CASES[case]
    first = exchange(port, request("GET", target))
    res = exchange(port, request(method, target, headers=headers(first)), head=method == "HEAD")
    return res.status, res


@pytest.mark.parametrize("case", sorted(CASES))
def test_teapot_answers_with_the_status_nginx_gives_unless_a_deviation_says_why(both, case):
    nginx_status, nginx_res = status_of(both["nginx"], case)
    teapot_status, teapot_res = status_of(both["teapot"], case)
    if case in DEVIATIONS:
        expected_nginx, expected_teapot, why = DEVIATIONS[case]
        assert "RFC" in why and "§" in why, f"a deviation cites the section behind it: {case}"
        assert (nginx_status, teapot_status) == (expected_nginx, expected_teapot), (
            f"the recorded deviation no longer holds ({why}):\n"
            f"nginx {nginx_res!r}\nteapot {teapot_res!r}"
        )
    else:
        assert teapot_status == nginx_status, f"nginx {nginx_res!r}\nteapot {teapot_res!r}"

