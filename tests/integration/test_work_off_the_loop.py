"""Work off the event loop: Basic auth checks a password on the blocking-work pool when its cache
misses (the step waits, policy::verdict::pending), on-the-fly compression codes files over 64 KiB
there, and the pool's size is a knob ([server] blocking_threads, --blocking-threads, 1 to 256).
Meanwhile the one loop of a one-worker server goes on answering other clients."""

from __future__ import annotations

import base64
import gzip
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES_DIR, TEAPOT_BIN, css, require, run_cli
from wire import Conn, exchange, request

BCRYPT_COST = 12
# Twenty users, each with credentials of their own, so that every request misses the cache;
# the odd ones send a wrong password.
USERS = {f"user{i:02d}": f"pass-{i:02d}" for i in range(20)}


def bcrypt_line(user: str, password: str) -> str:
    """user:$2y$12$... from htpasswd (Debian package apache2-utils)."""
    exe = shutil.which("htpasswd")
    if exe is None:
        pytest.fail("htpasswd is not installed (Debian package apache2-utils)")
    p = subprocess.run([exe, "-nbB", "-C", str(BCRYPT_COST), user, password],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    line = p.stdout.decode().strip()
    assert line.startswith(f"{user}:$2y${BCRYPT_COST}$"), line
    return line


@pytest.fixture(scope="module")
def htpasswd(tmp_path_factory) -> Path:
    """An htpasswd file of USERS with bcrypt cost-12 hashes (made once: each takes ~0.2 s)."""
    lines: dict[str, str] = {}

    def make(user: str) -> None:
        lines[user] = bcrypt_line(user, USERS[user])

    threads = [threading.Thread(target=make, args=(u,)) for u in USERS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    path = tmp_path_factory.mktemp("auth") / "htpasswd"
    path.write_text("".join(lines[u] + "\n" for u in USERS))
    return path


@pytest.fixture
def guarded(start_server, htpasswd):
    """example_upload (one worker, two pool threads) with /private/ behind Basic auth."""
    exe = EXAMPLES_DIR / "example_upload"
    require(exe, "example_upload")
    return start_server([exe, "--htpasswd", htpasswd], "upload")


def basic(user: str, password: str) -> tuple[str, str]:
    return ("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())


def attempt(i: int, user: str) -> tuple[str, int]:
    """The password user sends, and the status it must get."""
    return (USERS[user], 200) if i % 2 == 0 else (USERS[user] + "-wrong", 401)


def test_gets_stay_fast_while_twenty_bcrypt_checks_and_two_seconds_of_blocking_work_run(guarded):
    # One worker: its loop answers /ping while the pool hashes twenty cost-12 passwords (each
    # a quarter of a second of CPU) and sleeps two seconds for /block. The bound is generous
    # (a sanitizer build on a busy machine); bench/blocking_latency.py measures the p99.
    port = guarded.port
    slow: list[tuple[Conn, int, bytes]] = []
    try:
        c = Conn(port, timeout=30)
        c.send(request("GET", "/block?ms=2000"))
        slow.append((c, 200, b"blocked 2000 ms off the loop"))
        for i, user in enumerate(USERS):
            password, status = attempt(i, user)
            c = Conn(port, timeout=30)
            c.send(request("GET", "/private/ping", headers=[basic(user, password)]))
            slow.append((c, status, b"private pong" if status == 200 else None))
        answers: list = []
        reader = threading.Thread(
            target=lambda: answers.extend(conn.read_response(timeout=30) for conn, _, _ in slow))
        reader.start()
        latencies = []
        with Conn(port) as c:
            while reader.is_alive() or len(latencies) < 20:
                t = time.monotonic()
                c.send(request("GET", "/ping"))
                res = c.read_response()
                latencies.append(time.monotonic() - t)
                assert res.status == 200 and res.body == b"pong", res
                time.sleep(0.01)
        reader.join()
        assert max(latencies) < 0.2, sorted(latencies)[-5:]
        assert len(answers) == len(slow)
        for (_, status, body), res in zip(slow, answers):
            assert res.status == status, res
            if body is not None:
                assert res.body == body, res
            if status == 401:
                assert res.header("WWW-Authenticate") == 'Basic realm="teapot", charset="UTF-8"'
    finally:
        for conn, _, _ in slow:
            conn.close()


def test_content_waits_for_the_password_check_before_100_continue(guarded):
    user = "user00"
    with Conn(guarded.port, timeout=10) as c:
        c.send(request("POST", "/private/count", headers=[
            basic(user, USERS[user]), ("Content-Length", "5"), ("Expect", "100-continue")]))
        interim = c.read_response(timeout=10)
        assert interim.status == 100, interim
        c.send(b"12345")
        res = c.read_response(timeout=10)
        assert (res.status, res.body) == (200, b"5"), res
    with Conn(guarded.port, timeout=10) as c:
        c.send(request("POST", "/private/count", headers=[
            basic(user, "not-it"), ("Content-Length", "5"), ("Expect", "100-continue")]))
        res = c.read_response(timeout=10)
        assert res.status == 401, f"expected the final 401 and no 100 first, got {res!r}"
        # The content was never read: the connection cannot carry another request.
        assert res.has_token("Connection", "close"), res
        assert c.closes_within(5) == b""


def test_requests_pipelined_behind_a_password_check_are_answered_in_order(guarded):
    user = "user02"
    auth = [basic(user, USERS[user])]
    with Conn(guarded.port, timeout=10) as c:
        c.send(request("GET", "/private/ping", headers=auth) + request("GET", "/ping") +
               request("GET", "/private/ping", headers=auth) +
               request("GET", "/private/ping", headers=[basic(user, "nope")]) +
               request("GET", "/ping"))
        got = [c.read_response(timeout=10) for _ in range(5)]
    assert [(r.status, r.body if r.status == 200 else None) for r in got] == [
        (200, b"private pong"), (200, b"pong"), (200, b"private pong"), (401, None),
        (200, b"pong")], got


def test_a_client_that_leaves_during_its_password_check_leaves_the_server_serving(guarded):
    for user in list(USERS)[:4]:
        with Conn(guarded.port) as c:
            c.send(request("GET", "/private/ping", headers=[basic(user, USERS[user])]))
    res = exchange(guarded.port, request("GET", "/ping"))
    assert res.status == 200 and res.body == b"pong", res
    user = "user04"
    res = exchange(guarded.port, request("GET", "/private/ping", headers=[basic(user, USERS[user])]),
                   timeout=10)
    assert (res.status, res.body) == (200, b"private pong"), res


# -- compression of large files on the pool -------------------------------------------------



LARGE = css(300_000)


@pytest.fixture
def large_root(tmp_path: Path) -> Path:
    root = tmp_path / "large"
    root.mkdir()
    (root / "large.css").write_bytes(LARGE)
    (root / "hello.txt").write_bytes(b"Hello, World!")
    return root


def test_the_blocking_thread_count_is_taken_at_its_limit_of_256(serve, large_root):
    srv = serve("--compress", "--blocking-threads", "256", "--workers", "1", root=large_root)
    for _ in range(3):
        r = exchange(srv.port, request("GET", "/large.css", headers=[("Accept-Encoding", "gzip")]),
                     timeout=20)
        assert r.status == 200 and r.header("Content-Encoding") == "gzip", r
        assert gzip.decompress(r.body) == LARGE


@pytest.mark.parametrize("value", ["257", "0"])
def test_a_blocking_thread_count_past_its_limits_is_refused(large_root, value):
    require(TEAPOT_BIN, "teapot")
    p = run_cli("serve", str(large_root), "--listen", "127.0.0.1:1", "--blocking-threads", value,
                timeout=10)
    assert p.returncode != 0
    assert b"--blocking-threads" in p.stderr and b"1 to 256" in p.stderr, p.stderr


@pytest.mark.parametrize("value,ok", [(256, True), (257, False), (0, False)])
def test_check_takes_blocking_threads_from_1_to_256(tmp_path, value, ok):
    config = tmp_path / "teapot.toml"
    config.write_text(f"[server]\nblocking_threads = {value}\n[[sites]]\ndefault = true\n")
    p = run_cli("check", str(config))
    if ok:
        assert (p.returncode, p.stdout.decode()) == (0, f"{config}: ok\n"), p.stderr
    else:
        assert p.returncode == 2
        assert p.stderr.decode() == (f"{config}:2:20: server.blocking_threads: {value} is out of "
                                     "range; expected 1 to 256\n")
