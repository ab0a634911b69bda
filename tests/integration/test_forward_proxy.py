"""The forward proxy ([sites.forward_proxy]): CONNECT tunnels to listed ports and absolute-form
requests for other authorities, with Basic proxy authentication (407 with Proxy-Authenticate),
403 for a port not listed, 502 for a destination that refuses and 504 for one that does not
accept in time; a site without it still answers CONNECT 405.

The destinations are written here: a TCP echo server, an HTTP server that records what it
received, a port where nothing listens, and a listener whose accept queue is full. Clients:
curl (-x, and -p for a tunnel) and raw sockets.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, free_port, require, sha512_crypt
from socket_servers import ThreadedServer, echo, read_head, socket_server
from wire import Conn

USER, PASSWORD = "alice", "tunnel pass"
REALM = "teapot test proxy"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'


class Destination(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Destination.seen.append({"path": self.path, "body": body,
                                 "headers": {k.lower(): v for k, v in self.headers.items()}})
        payload = f"destination saw {self.command} {self.path} {len(body)}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_OPTIONS = do_TRACE = do_GET


def silent(conn: socket.socket) -> None:
    """Reads a request head and says nothing for longer than any test waits."""
    with conn:
        if b"\r\n\r\n" not in read_head(conn):
            return
        threading.Event().wait(30)


FLOOD_SIZE = 64 * 1024 * 1024
flood_sent: list[int] = []


def flood(conn: socket.socket) -> None:
    """FLOOD_SIZE bytes of a known pattern as fast as the tunnel takes them, the count kept."""
    pattern = bytes(range(256)) * 256  # 64 KiB
    sent = 0
    with conn:
        conn.settimeout(30)
        flood_sent.append(0)
        while sent < FLOOD_SIZE:
            conn.sendall(pattern)
            sent += len(pattern)
            flood_sent[-1] = sent


def start_proxy(start_server, tmp_path: Path, name: str, forward: str):
    require(TEAPOT_BIN, "teapot")
    config = tmp_path / f"{name}.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      f'[access_log]\nformat = "common"\npath = "{tmp_path / name}.log"\n'
                      '[[sites]]\nhosts = ["site.test"]\n'
                      '[[sites]]\ndefault = true\n[sites.forward_proxy]\n' + forward)
    return start_server([TEAPOT_BIN, "serve", "--config", config], name)


@pytest.fixture(scope="module")
def destinations():
    Destination.seen = []
    web = ThreadedServer(("127.0.0.1", 0), Destination)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    echo_port, echo_sock = socket_server(echo)
    flood_port, flood_sock = socket_server(flood)
    silent_port, silent_sock = socket_server(silent)
    # A destination whose accept queue is full: Linux drops the SYNs that come then, so that a
    # connect neither succeeds nor fails until the proxy's connect_timeout.
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    filler = socket.create_connection(full.getsockname(), timeout=5)
    yield {"web": web.server_port, "echo": echo_port, "flood": flood_port, "silent": silent_port,
           "full": full.getsockname()[1], "refused": free_port()}
    web.shutdown()
    for s in (echo_sock, flood_sock, silent_sock, filler, full):
        s.close()


@pytest.fixture
def proxy(start_server, tmp_path: Path, destinations):
    (tmp_path / "proxy.users").write_text(f"{USER}:{sha512_crypt(PASSWORD)}\n")
    ports = ", ".join(str(destinations[k]) for k in ("web", "echo", "full", "refused"))
    http_ports = ", ".join(str(destinations[k]) for k in ("web", "silent"))
    # The destinations listen on loopback, which the proxy refuses unless allowed.
    return start_proxy(start_server, tmp_path, "teapot-forward",
                       f'connect_ports = [{ports}]\nhttp_ports = [{http_ports}]\n'
                       'allow_local_destinations = true\nconnect_timeout = "1s"\n'
                       'response_timeout = "1s"\n'
                       f'users = "proxy.users"\nrealm = "{REALM}"\n')


@pytest.fixture
def open_proxy(start_server, tmp_path: Path, destinations):
    """No users: no authentication; a short tunnel_idle_timeout."""
    ports = ", ".join(str(destinations[k]) for k in ("echo", "flood"))
    return start_proxy(start_server, tmp_path, "teapot-open-forward",
                       f'connect_ports = [{ports}]\ntunnel_idle_timeout = "1s"\n'
                       'allow_local_destinations = true\n')


def basic(user: str, password: str) -> str:
    import base64
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def connect(port: int, authority: str, credentials: str | None = None,
            after: bytes = b"") -> tuple[Conn, int, bytes]:
    """Sends a CONNECT (and `after` right behind its head); returns the connection, the status
    and the raw response head (a 200 to CONNECT has no content: the bytes after it are the
    tunnel's)."""
    c = Conn(port, timeout=10)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if credentials:
        lines.append(f"Proxy-Authorization: {credentials}")
    c.send(("\r\n".join(lines) + "\r\n\r\n").encode() + after)
    head = c._take_until(b"\r\n\r\n", time.monotonic() + 10, "the CONNECT's response head")
    status = int(head.split(b" ", 2)[1])
    if status != 200:
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        c._take(length, time.monotonic() + 10, "the response's content")
    return c, status, head


def header(head: bytes, name: str) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        n, sep, v = line.partition(b":")
        if sep and n.decode().lower() == name.lower():
            return v.strip().decode()
    return None




def log_lines(path: Path, count: int) -> list[str]:
    """The access log's lines once it has count of them (its writer flushes each second)."""
    deadline = time.monotonic() + 10
    while True:
        text = path.read_text() if path.exists() else ""
        if text.count("\n") >= count:
            return text.splitlines()
        assert time.monotonic() < deadline, text
        time.sleep(0.05)


def curl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True,
                          timeout=30)


def test_curl_fetches_through_a_connect_tunnel_with_proxytunnel(proxy, destinations):
    p = curl("-p", "-x", f"http://127.0.0.1:{proxy.port}", "--proxy-user", f"{USER}:{PASSWORD}",
             f"http://127.0.0.1:{destinations['web']}/through/the/tunnel")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"destination saw GET /through/the/tunnel 0\n"
    # Through the tunnel the destination sees the client's own request, nothing of the proxy's.
    seen = Destination.seen[-1]["headers"]
    assert "proxy-authorization" not in seen and "via" not in seen, seen


def test_bytes_pass_both_ways_byte_exact_through_a_raw_connect(proxy, destinations):
    payload = os.urandom(1024 * 1024)
    first = b"sent right behind the head"
    c, status, head = connect(proxy.port, f"127.0.0.1:{destinations['echo']}",
                              basic(USER, PASSWORD), after=first)
    with c:
        assert status == 200, head
        assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head
        # RFC 9110 §9.3.6: a 2xx to CONNECT has no content and no framing fields.
        assert header(head, "Content-Length") is None and header(head, "Transfer-Encoding") is None
        assert c._take(len(first), time.monotonic() + 10, "the first echo") == first
        received = bytearray()
        for i in range(0, len(payload), 64 * 1024):
            piece = payload[i:i + 64 * 1024]
            c.send(piece)
            received += c._take(len(piece), time.monotonic() + 10, "the echo")
        assert bytes(received) == payload


def test_a_half_close_reaches_the_destination_and_its_answer_still_comes_back(
        open_proxy, destinations):
    c, status, head = connect(open_proxy.port, f"127.0.0.1:{destinations['echo']}")
    with c:
        assert status == 200, head
        c.send(b"last words")
        c.shutdown_write()  # the echo server answers, then closes when it sees our FIN
        assert c.closes_within(5) == b"last words"


def test_without_credentials_the_proxy_answers_407_with_a_basic_utf8_challenge(
        proxy, destinations):
    c, status, head = connect(proxy.port, f"127.0.0.1:{destinations['echo']}")
    c.close()
    assert status == 407, head
    assert header(head, "Proxy-Authenticate") == CHALLENGE
    p = curl("-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://127.0.0.1:{proxy.port}",
             f"http://127.0.0.1:{destinations['web']}/x")
    assert p.stdout == b"407", p.stderr


def test_wrong_credentials_get_407_again_and_a_log_line(proxy, destinations):
    p = curl("-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://127.0.0.1:{proxy.port}",
             "--proxy-user", f"{USER}:wrong", f"http://127.0.0.1:{destinations['web']}/x")
    assert p.stdout == b"407", p.stderr
    c, status, head = connect(proxy.port, f"127.0.0.1:{destinations['echo']}",
                              basic("mallory", PASSWORD))
    c.close()
    assert status == 407, head
    assert header(head, "Proxy-Authenticate") == CHALLENGE
    assert proxy.logged(f'proxy auth refused user "{USER}"')
    assert proxy.logged('proxy auth refused user "mallory"')
    assert not Destination.seen or Destination.seen[-1]["path"] != "/x"


def test_a_port_not_listed_gets_403_after_authentication_and_a_listed_one_200(
        proxy, destinations):
    c, status, head = connect(proxy.port, "127.0.0.1:25")
    c.close()
    assert status == 407, head  # who asks is known first
    c, status, head = connect(proxy.port, "127.0.0.1:25", basic(USER, PASSWORD))
    c.close()
    assert status == 403, head
    assert proxy.logged("forward proxy: CONNECT 127.0.0.1:25 from 127.0.0.1:")
    assert proxy.logged("port 25 is not in connect_ports; 403")
    c, status, head = connect(proxy.port, f"127.0.0.1:{destinations['echo']}",
                              basic(USER, PASSWORD))
    c.close()
    assert status == 200, head


def test_a_destination_that_refuses_gets_502(proxy, destinations):
    c, status, head = connect(proxy.port, f"127.0.0.1:{destinations['refused']}",
                              basic(USER, PASSWORD))
    c.close()
    assert status == 502, head
    assert proxy.logged("the destination refused: Connection refused; 502")


def test_a_destination_that_takes_no_connection_gets_504_after_connect_timeout(
        proxy, destinations):
    started = time.monotonic()
    c, status, head = connect(proxy.port, f"127.0.0.1:{destinations['full']}",
                              basic(USER, PASSWORD))
    c.close()
    assert status == 504, head
    assert time.monotonic() - started >= 0.9
    assert proxy.logged("the destination did not accept within connect_timeout; 504")


def test_a_name_is_resolved_and_tunnelled_to(open_proxy, destinations):
    c, status, head = connect(open_proxy.port, f"localhost:{destinations['echo']}")
    with c:
        assert status == 200, head
        c.send(b"by name")
        assert c._take(7, time.monotonic() + 10, "the echo") == b"by name"


def test_an_absolute_form_request_goes_to_its_origin_without_the_proxys_fields(
        proxy, destinations):
    web = destinations["web"]
    p = curl("-x", f"http://127.0.0.1:{proxy.port}", "--proxy-user", f"{USER}:{PASSWORD}",
             "-H", "X-Client: end to end", f"http://127.0.0.1:{web}/page?q=1")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"destination saw GET /page?q=1 0\n"
    seen = Destination.seen[-1]
    assert seen["path"] == "/page?q=1"  # origin-form (RFC 9112 §3.2.1)
    assert seen["headers"]["host"] == f"127.0.0.1:{web}"
    assert seen["headers"]["x-client"] == "end to end"
    assert "proxy-authorization" not in seen["headers"], seen
    assert "proxy-connection" not in seen["headers"], seen
    assert seen["headers"]["via"] == "1.1 teapot"


@pytest.mark.parametrize("request_line", ["GET https://127.0.0.1:9/ HTTP/1.1",
                                          "CONNECT 127.0.0.1:0 HTTP/1.1"])
def test_a_target_the_proxy_cannot_reach_gets_400(open_proxy, request_line):
    with Conn(open_proxy.port) as c:
        c.send(f"{request_line}\r\nHost: 127.0.0.1\r\n\r\n")
        r = c.read_response()
    assert r.status == 400, r


def test_connect_to_a_site_that_is_no_forward_proxy_still_gets_405(proxy):
    c, status, head = connect(proxy.port, "site.test:443", basic(USER, PASSWORD))
    c.close()
    assert status == 405, head
    assert header(head, "Allow") == ""


def test_a_tunnel_stays_while_bytes_move_and_closes_once_idle(open_proxy, destinations):
    c, status, head = connect(open_proxy.port, f"127.0.0.1:{destinations['echo']}")
    with c:
        assert status == 200, head
        for i in range(4):  # 2 s of traffic against an idle timeout of 1 s
            c.send(b"tick%d" % i)
            assert c._take(5, time.monotonic() + 5, "the echo") == b"tick%d" % i
            time.sleep(0.5)
        assert c.closes_within(4) == b""


def test_a_client_that_does_not_read_holds_the_destination_back(open_proxy, destinations):
    c, status, head = connect(open_proxy.port, f"127.0.0.1:{destinations['flood']}")
    with c:
        assert status == 200, head
        # The destination sends as fast as the tunnel takes; the client reads nothing. What it
        # can send is the socket buffers on both sides plus the proxy's window, far from all.
        deadline = time.monotonic() + 10
        last = -1
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = flood_sent[-1] if flood_sent else 0
            if now == last:
                break
            last = now
        assert 0 < last < FLOOD_SIZE // 4, last
        received = 0
        pattern = bytes(range(256)) * 256
        while received < FLOOD_SIZE:
            chunk = c._take(min(65536, FLOOD_SIZE - received), time.monotonic() + 20,
                            "the flood")
            at = received % len(pattern)
            expected = (pattern * (len(chunk) // len(pattern) + 2))[at:at + len(chunk)]
            assert chunk == expected
            received += len(chunk)


def test_content_of_an_absolute_form_request_reaches_the_origin(proxy, destinations):
    web = destinations["web"]
    p = curl("-x", f"http://127.0.0.1:{proxy.port}", "--proxy-user", f"{USER}:{PASSWORD}",
             "--data-binary", "posted through the proxy", f"http://127.0.0.1:{web}/form")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"destination saw POST /form 24\n"
    assert Destination.seen[-1]["body"] == b"posted through the proxy"


def test_the_access_log_has_a_line_for_each_connect(open_proxy, destinations, tmp_path):
    authority = f"127.0.0.1:{destinations['echo']}"
    c, status, head = connect(open_proxy.port, authority)
    c.close()
    assert status == 200, head
    c, status, head = connect(open_proxy.port, "127.0.0.1:25")
    c.close()
    assert status == 403, head
    lines = log_lines(tmp_path / "teapot-open-forward.log", 2)
    assert f'"CONNECT {authority} HTTP/1.1" 200 0' in lines[0], lines
    assert '"CONNECT 127.0.0.1:25 HTTP/1.1" 403 ' in lines[1], lines


def test_an_origin_that_sends_no_head_gets_504_after_response_timeout(proxy, destinations):
    started = time.monotonic()
    p = curl("-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://127.0.0.1:{proxy.port}",
             "--proxy-user", f"{USER}:{PASSWORD}", f"http://127.0.0.1:{destinations['silent']}/")
    assert p.stdout == b"504", p.stderr
    assert time.monotonic() - started >= 0.9
    assert proxy.logged("proxy: no response head from the upstream in time")


def absolute_form(port: int, method: str, url: str, fields: list[tuple[str, str]]):
    with Conn(port) as c:
        head = [f"{method} {url} HTTP/1.1", f"Host: {url.split('/')[2]}",
                f"Proxy-Authorization: {basic(USER, PASSWORD)}"]
        head += [f"{n}: {v}" for n, v in fields]
        c.send(("\r\n".join(head) + "\r\n\r\n").encode())
        return c.read_response()


@pytest.mark.parametrize("method, status", [("OPTIONS", 204), ("TRACE", 405)])
def test_max_forwards_0_is_answered_by_the_forward_proxy_itself(proxy, destinations, method,
                                                                 status):
    # RFC 9110 §7.6.2, after the proxy's authentication: the origin never sees it.
    before = len(Destination.seen)
    r = absolute_form(proxy.port, method, f"http://127.0.0.1:{destinations['web']}/mf",
                      [("Max-Forwards", "0")])
    allow = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH"  # known methods but CONNECT and TRACE
    assert (r.status, r.header("Allow")) == (status, allow), r
    assert len(Destination.seen) == before


def test_max_forwards_goes_one_less_and_via_is_appended_to_through_the_forward_proxy(
        proxy, destinations):
    r = absolute_form(proxy.port, "OPTIONS", f"http://127.0.0.1:{destinations['web']}/mf",
                      [("Max-Forwards", "2"), ("Via", "1.1 inner")])
    assert r.status == 200, r
    seen = Destination.seen[-1]["headers"]
    assert (seen["max-forwards"], seen["via"]) == ("1", "1.1 inner, 1.1 teapot"), seen


def test_an_absolute_form_request_to_a_port_not_in_http_ports_gets_403_and_to_one_listed_200(
        proxy, destinations):
    # The refused port has nothing listening: 403, not 502, as nothing is tried.
    for port, status in ((destinations["web"], 200), (destinations["refused"], 403),
                         (destinations["echo"], 403)):
        before = len(Destination.seen)
        r = absolute_form(proxy.port, "GET", f"http://127.0.0.1:{port}/ports", [])
        assert r.status == status, (port, r)
        assert len(Destination.seen) == before + (status == 200)
    assert proxy.logged(f"is not in http_ports; 403")


def own_address() -> str | None:
    """An address of this host that is not loopback, when it has one (the route a datagram
    to a documentation address would take; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture
def guarded(start_server, tmp_path: Path, destinations):
    """allow_local_destinations left out (false), and a destination on every address."""
    wide = ThreadedServer(("0.0.0.0", 0), Destination)
    threading.Thread(target=wide.serve_forever, daemon=True).start()
    ports = f"{destinations['echo']}, {wide.server_port}"
    http_ports = f"{destinations['web']}, {wide.server_port}"
    server = start_proxy(start_server, tmp_path, "teapot-guarded-forward",
                         f'connect_ports = [{ports}]\nhttp_ports = [{http_ports}]\n')
    server.wide = wide.server_port
    yield server
    wide.shutdown()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "0.0.0.0",
                                  "[::ffff:127.0.0.1]", "169.254.169.254"])
def test_a_destination_on_this_hosts_loopback_or_link_gets_403_by_default(
        guarded, destinations, host):
    # Without users this proxy is open to anyone who reaches it: a way into the services bound
    # to the host's loopback, or to a cloud's metadata service at 169.254.169.254, unless such
    # destinations are refused (a name is refused for the address it resolves to).
    c, status, head = connect(guarded.port, f"{host}:{destinations['echo']}")
    c.close()
    assert status == 403, head
    before = len(Destination.seen)
    with Conn(guarded.port) as c:
        c.send(f"GET http://{host}:{destinations['web']}/inside HTTP/1.1\r\n"
               f"Host: {host}\r\n\r\n".encode())
        r = c.read_response()
    assert r.status == 403, r
    assert len(Destination.seen) == before
    assert guarded.logged("an address of this host or its link (allow_local_destinations); 403")


def test_a_destination_of_another_address_is_reached_by_default(guarded):
    address = own_address()
    if address is None:
        pytest.skip("this host has no address besides loopback")
    with Conn(guarded.port) as c:
        c.send(f"GET http://{address}:{guarded.wide}/outside HTTP/1.1\r\n"
               f"Host: {address}\r\n\r\n".encode())
        r = c.read_response()
    assert (r.status, r.body) == (200, b"destination saw GET /outside 0\n"), r
    c, status, head = connect(guarded.port, f"{address}:{guarded.wide}",
                              after=b"GET /tunnelled HTTP/1.1\r\nHost: x\r\n\r\n")
    with c:
        assert status == 200, head
        answer = c._take_until(b"\n", time.monotonic() + 10, "the answer through the tunnel")
    assert answer.startswith(b"HTTP/1.1 200"), answer


@pytest.mark.parametrize("case, status", [("no credentials", 407), ("port not listed", 403),
                                          ("refused", 502), ("no forward proxy", 405)])
def test_a_refused_connect_ends_its_connection_and_what_followed_it_is_never_a_request(
        proxy, destinations, case, status):
    # The bytes behind a CONNECT's head were meant for the tunnel (RFC 9110 §9.3.6): read as
    # the next request, they would be one the client never made.
    authority, credentials = {
        "no credentials": (f"127.0.0.1:{destinations['echo']}", None),
        "port not listed": ("127.0.0.1:25", basic(USER, PASSWORD)),
        "refused": (f"127.0.0.1:{destinations['refused']}", basic(USER, PASSWORD)),
        "no forward proxy": ("site.test:443", basic(USER, PASSWORD)),
    }[case]
    c, got, head = connect(proxy.port, authority, credentials,
                           after=b"GET /hello.txt HTTP/1.1\r\nHost: site.test\r\n\r\n")
    with c:
        assert got == status, head
        assert header(head, "Connection") == "close", head
        assert c.closes_within(5) == b""  # and no second response
