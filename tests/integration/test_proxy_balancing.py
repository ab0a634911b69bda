"""How the reverse proxy picks an upstream: round robin or least connections (`balance`), and
active health checks (`[sites.proxy.health_check]`) that leave an upstream out while it fails
them and take it back when it passes; 503 with Retry-After when every upstream is out.

The upstreams are small socket servers written here; each says its name in its answers, and
holds a request for /hold until the test lets it go. The order of events is made certain by
what the upstreams saw and what the error log said, never by sleeping.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, check_refusal, require
from socket_servers import socket_server
from wire import Conn, request


class Upstream:
    """An upstream named name: /health answers health (a status), /hold waits for release,
    any other path answers 200 with the name."""

    def __init__(self, name: str):
        self.name = name
        self.health = 200
        self.release = threading.Event()
        self.holding = threading.Event()  # a /hold request has arrived
        self.port, self.lsock = socket_server(self.serve_one)

    def serve_one(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                path = head.split(b" ")[1].decode()
                if path == "/health":
                    reply = f"HTTP/1.1 {self.health} X\r\nContent-Length: 0\r\n\r\n"
                    conn.sendall(reply.encode())
                    return
                if path.endswith("/hold"):
                    self.holding.set()
                    self.release.wait(30)
                body = self.name.encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


@pytest.fixture
def upstreams():
    ups = [Upstream("A"), Upstream("B")]
    yield ups
    for u in ups:
        u.release.set()
        u.lsock.close()


def start_proxy(start_server, tmp_path: Path, ups, extra: str):
    require(TEAPOT_BIN, "teapot")
    root = build_docroot(tmp_path / "www")
    names = ", ".join(f'"127.0.0.1:{u.port}"' for u in ups)
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      f'[[sites]]\ndefault = true\nroot = "{root}"\n'
                      f'[[sites.proxy]]\nprefix = "/p/"\nupstreams = [{names}]\n' + extra)
    return start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-balance")


def get(port: int, target: str):
    with Conn(port) as c:
        c.send(request("GET", target))
        return c.read_final_response()[1]


def test_least_connections_sends_to_the_upstream_with_fewest_requests_in_progress(
        start_server, tmp_path, upstreams):
    server = start_proxy(start_server, tmp_path, upstreams, 'balance = "least_connections"\n')
    held = Conn(server.port)
    held.send(request("GET", "/p/hold"))
    for _ in range(200):
        if any(u.holding.wait(0.05) for u in upstreams):
            break
    busy = next(u for u in upstreams if u.holding.is_set())
    idle = next(u for u in upstreams if u is not busy)
    # Round robin would give one of the two to the busy upstream, where it would wait.
    for _ in range(2):
        r = get(server.port, "/p/who")
        assert r.status == 200, r
        assert r.body == idle.name.encode()
    busy.release.set()
    r = held.read_final_response()[1]
    assert r.body == busy.name.encode()
    held.close()


def test_round_robin_takes_each_in_turn(start_server, tmp_path, upstreams):
    server = start_proxy(start_server, tmp_path, upstreams, "")
    names = {get(server.port, "/p/who").body for _ in range(2)}
    assert names == {b"A", b"B"}


def test_an_upstream_failing_its_health_check_is_left_out_until_it_passes(
        start_server, tmp_path, upstreams):
    a, b = upstreams
    a.health = 503
    server = start_proxy(start_server, tmp_path, upstreams,
                         '[sites.proxy.health_check]\npath = "/health"\ninterval = "100ms"\n')
    assert server.logged(f"proxy: 127.0.0.1:{a.port} fails its health check (status 503); "
                         "left out until it passes")
    for _ in range(4):
        r = get(server.port, "/p/who")
        assert r.status == 200, r
        assert r.body == b"B"
    a.health = 204
    assert server.logged(f"proxy: 127.0.0.1:{a.port} passes its health check again; back in")
    # Both in again: of two requests in a row, round robin gives one to each.
    assert {get(server.port, "/p/who").body for _ in range(2)} == {b"A", b"B"}


def test_a_health_check_that_gets_no_answer_in_time_fails(start_server, tmp_path, upstreams):
    a, _ = upstreams
    # /health on a connection that never answers: an upstream that holds it.
    server = start_proxy(start_server, tmp_path, upstreams,
                         '[sites.proxy.health_check]\npath = "/hold"\ninterval = "100ms"\n'
                         'timeout = "200ms"\n')
    assert server.logged(f"proxy: 127.0.0.1:{a.port} fails its health check (no answer within "
                         "200 ms); left out until it passes")


def test_with_every_upstream_failing_its_checks_the_proxy_answers_503_with_retry_after(
        start_server, tmp_path, upstreams):
    for u in upstreams:
        u.health = 500
    server = start_proxy(start_server, tmp_path, upstreams,
                         '[sites.proxy.health_check]\npath = "/health"\ninterval = "2s"\n')
    for u in upstreams:
        assert server.logged(f"proxy: 127.0.0.1:{u.port} fails its health check (status 500)")
    r = get(server.port, "/p/who")
    assert r.status == 503, r
    assert r.header("retry-after") == "2"


def test_it_takes_fails_in_a_row_to_leave_and_passes_in_a_row_to_return(
        start_server, tmp_path, upstreams):
    a, _ = upstreams
    a.health = 503
    server = start_proxy(start_server, tmp_path, upstreams,
                         '[sites.proxy.health_check]\npath = "/health"\ninterval = "50ms"\n'
                         "fails = 3\npasses = 2\n")
    assert server.logged(f"proxy: 127.0.0.1:{a.port} fails its health check")
    a.health = 200
    assert server.logged(f"proxy: 127.0.0.1:{a.port} passes its health check again")


@pytest.mark.parametrize(
    "table, message",
    [
        ('balance = "random"',
         "'random' is not a choice; expected \"round_robin\" or \"least_connections\""),
        ('[sites.proxy.health_check]\npath = "health"', "'health' does not start with '/'"),
        ('[sites.proxy.health_check]\npath = "/h"\ninterval = "0s"', "must be greater than zero"),
        ('[sites.proxy.health_check]\npath = "/h"\nfails = 0', None),
        ('[sites.proxy.health_check]\ninterval = "1s"', None),
    ],
)
def test_check_rejects_a_bad_balance_or_health_check(tmp_path, table, message):
    line = check_refusal(tmp_path, f'[[sites]]\ndefault = true\nroot = "{tmp_path}"\n'
                         '[[sites.proxy]]\nprefix = "/p/"\nupstreams = ["127.0.0.1:9"]\n'
                         f"{table}\n")
    assert "sites[0].proxy[0]." in line, line
    if message is not None:
        assert line.endswith(message), line
