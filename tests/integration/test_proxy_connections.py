"""The reverse proxy's connections to its upstreams and the request content it streams to them:
idle connections kept for the next request (keepalive, keepalive_timeout), a request that meets
a connection the upstream closed sent again only when that is safe (idempotent, no content), the
client's content streamed with the proxy's own framing (its length, else chunked), and a
gibibyte each way through the proxy with the server's resident memory bounded.

The upstreams are written here: an HTTP/1.1 server that reads content of either framing and
says which connection each request came on, and a socket server that closes a kept connection
when its second request comes. Clients: curl and raw sockets.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, require
from socket_servers import socket_server
from wire import Conn, request

GIB = 1 << 30
BLOCK = bytes(range(256)) * 4096  # 1 MiB, the unit of the large transfers


class Seen:
    """What the counting upstream saw, request by request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict] = []

    def add(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)

    def last(self) -> dict:
        with self.lock:
            return self.requests[-1]

    def connections(self) -> set:
        with self.lock:
            return {r["connection"] for r in self.requests}


def read_head(f) -> tuple[str, dict[str, str]] | None:
    line = f.readline()
    if not line:
        return None
    fields: dict[str, str] = {}
    while True:
        field = f.readline()
        if field in (b"\r\n", b""):
            break
        name, _, value = field.decode("latin-1").partition(":")
        fields[name.strip().lower()] = value.strip()
    return line.decode("latin-1").strip(), fields


def read_content(f, fields: dict[str, str], digest) -> int:
    """Reads the request's content of either framing into digest; returns its length."""
    total = 0
    if fields.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b""):
                    pass
                return total
            left = size
            while left:
                piece = f.read(min(left, 1 << 20))
                digest.update(piece)
                left -= len(piece)
            total += size
            f.readline()
    left = int(fields.get("content-length", "0"))
    while left:
        piece = f.read(min(left, 1 << 20))
        if not piece:
            break
        digest.update(piece)
        total += len(piece)
        left -= len(piece)
    return total


def counting_upstream(seen: Seen):
    """An HTTP/1.1 upstream that keeps connections open. GET /.../big/N sends N MiB; any other
    request is answered with the length and SHA-256 of its content."""

    def reply(conn: socket.socket) -> None:
        f = conn.makefile("rb")
        peer = conn.getpeername()
        try:
            while True:
                head = read_head(f)
                if head is None:
                    return
                line, fields = head
                method, target, _ = line.split(" ")
                digest = hashlib.sha256()
                length = read_content(f, fields, digest)
                seen.add({"connection": peer, "method": method, "target": target,
                          "fields": fields, "length": length, "sha256": digest.hexdigest()})
                if "/big/" in target:
                    mib = int(target.rsplit("/", 1)[1])
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                                 b"Content-Length: %d\r\n\r\n" % (mib * len(BLOCK)))
                    for _ in range(mib):
                        conn.sendall(BLOCK)
                    continue
                body = f"{method} {target} {length} {digest.hexdigest()}\n".encode()
                close = fields.get("connection", "").lower() == "close"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: %d\r\n%s\r\n%s"
                             % (len(body), b"Connection: close\r\n" if close else b"", body))
                if close:
                    return
        except (OSError, ValueError):
            return
        finally:
            conn.close()

    return reply


def closes_kept_connections(accepted: list):
    """Answers the first request of a connection and keeps it open; closes it, unanswered,
    when a second request comes on it: the race of a connection the upstream closes idle just
    as the proxy sends on it, made certain."""

    def reply(conn: socket.socket) -> None:
        accepted.append(conn.getpeername())
        f = conn.makefile("rb")
        head = read_head(f)
        if head is not None:
            read_content(f, head[1], hashlib.sha256())
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nfirst\n")
            read_head(f)
        conn.close()

    return reply


@pytest.fixture
def upstreams():
    seen = Seen()
    accepted: list = []
    counting_port, counting = socket_server(counting_upstream(seen))
    closing_port, closing = socket_server(closes_kept_connections(accepted))
    yield seen, counting_port, accepted, closing_port
    counting.close()
    closing.close()


@pytest.fixture
def proxy(start_server, tmp_path: Path, upstreams):
    require(TEAPOT_BIN, "teapot")
    _, counting, _, closing = upstreams
    root = build_docroot(tmp_path / "www")
    routes = (f'[[sites.proxy]]\nprefix = "/api/"\nupstreams = ["127.0.0.1:{counting}"]\n'
              f'[[sites.proxy]]\nprefix = "/once/"\nupstreams = ["127.0.0.1:{counting}"]\n'
              'keepalive = 0\n'
              f'[[sites.proxy]]\nprefix = "/brief/"\nupstreams = ["127.0.0.1:{counting}"]\n'
              'keepalive_timeout = "100ms"\n'
              f'[[sites.proxy]]\nprefix = "/stale/"\nupstreams = ["127.0.0.1:{closing}"]\n'
              f'[[sites.proxy]]\nprefix = "/rfc7239/"\nupstreams = ["127.0.0.1:{counting}"]\n'
              'forwarded_fields = "forwarded"\n'
              f'[[sites.proxy]]\nprefix = "/both/"\nupstreams = ["127.0.0.1:{counting}"]\n'
              'forwarded_fields = "both"\n'
              f'[[sites.proxy]]\nprefix = "/bare/"\nupstreams = ["127.0.0.1:{counting}"]\n'
              'forwarded_fields = "none"\n')
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      '[server.limits]\nbody = "2GiB"\n'
                      f'[[sites]]\nhosts = ["localhost"]\ndefault = true\nroot = "{root}"\n'
                      + routes)
    return start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-proxy-connections")


def exchange(c: Conn, method: str, target: str, body: bytes = b""):
    c.send(request(method, target, body=body))
    return c.read_final_response()[1]


def fields_seen(port: int, seen: Seen, target: str, headers: list[tuple[str, str]]) -> dict:
    with Conn(port) as c:
        own_host = any(name == "Host" for name, _ in headers)
        c.send(request("GET", target, headers=headers, host=None if own_host else "localhost"))
        assert c.read_final_response()[1].status == 200
    return seen.last()["fields"]


def test_forwarded_fields_name_the_client_as_configured(proxy, upstreams):
    seen = upstreams[0]
    client = [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https"),
              ("Forwarded", "for=198.51.100.1;proto=https")]
    # The default: X-Forwarded-*, the client's list appended to, its Proto replaced; a
    # Forwarded field, of a kind this route does not write, passes unchanged.
    f = fields_seen(proxy.port, seen, "/api/x", client)
    assert f["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert f["x-forwarded-proto"] == "http"
    assert f["x-forwarded-host"] == "localhost"
    assert f["forwarded"] == "for=198.51.100.1;proto=https"
    assert f["via"] == "1.1 teapot"
    # RFC 7239: the proxy's element appended to the client's list.
    f = fields_seen(proxy.port, seen, "/rfc7239/x", client)
    assert f["forwarded"] == "for=198.51.100.1;proto=https, for=127.0.0.1;proto=http;host=localhost"
    assert f["x-forwarded-for"] == "203.0.113.7"
    assert f["x-forwarded-proto"] == "https"
    f = fields_seen(proxy.port, seen, "/rfc7239/y", [("Host", "localhost:8080")])
    assert f["forwarded"] == 'for=127.0.0.1;proto=http;host="localhost:8080"'
    f = fields_seen(proxy.port, seen, "/both/x", [])
    assert f["forwarded"] == "for=127.0.0.1;proto=http;host=localhost"
    assert f["x-forwarded-for"] == "127.0.0.1"
    f = fields_seen(proxy.port, seen, "/bare/x", client)
    assert f["x-forwarded-for"] == "203.0.113.7"
    assert f["x-forwarded-proto"] == "https"
    assert "x-forwarded-host" not in f
    assert f["forwarded"] == "for=198.51.100.1;proto=https"
    assert f["via"] == "1.1 teapot"


def test_the_requests_of_a_client_connection_share_one_upstream_connection(proxy, upstreams):
    seen = upstreams[0]
    with Conn(proxy.port) as c:
        for i in range(3):
            r = exchange(c, "GET", f"/api/n{i}")
            assert (r.status, r.body.split()[:2]) == (200, [b"GET", f"/api/n{i}".encode()]), r
    assert len(seen.requests) == 3
    assert len(seen.connections()) == 1
    assert "connection" not in seen.last()["fields"]  # HTTP/1.1: persistent unless said


def test_with_keepalive_0_each_request_has_a_connection_of_its_own_and_says_close(
        proxy, upstreams):
    seen = upstreams[0]
    with Conn(proxy.port) as c:
        for i in range(3):
            assert exchange(c, "GET", f"/once/n{i}").status == 200
    assert len(seen.connections()) == 3
    assert all(r["fields"]["connection"] == "close" for r in seen.requests)


def test_a_connection_idle_past_keepalive_timeout_is_not_used_again(proxy, upstreams):
    seen = upstreams[0]
    with Conn(proxy.port) as c:
        assert exchange(c, "GET", "/brief/a").status == 200
        time.sleep(0.4)  # four times the 100 ms it may stay idle
        assert exchange(c, "GET", "/brief/b").status == 200
    assert len(seen.connections()) == 2


def test_a_get_that_meets_a_connection_the_upstream_closed_is_sent_again_on_a_new_one(
        proxy, upstreams):
    accepted = upstreams[2]
    with Conn(proxy.port) as c:
        r = exchange(c, "GET", "/stale/a")
        assert (r.status, r.body) == (200, b"first\n")
        r = exchange(c, "GET", "/stale/b")  # the kept connection is closed as it is used
        assert (r.status, r.body) == (200, b"first\n"), r
    assert len(accepted) == 2
    assert proxy.logged("an idle connection was closed; sent again"), proxy.stderr()[-2000:]


def test_a_post_that_meets_a_connection_the_upstream_closed_gets_502_and_is_not_sent_again(
        proxy, upstreams):
    accepted = upstreams[2]
    with Conn(proxy.port) as c:  # one client connection: one worker, one pool
        assert exchange(c, "GET", "/stale/a").status == 200
        r = exchange(c, "POST", "/stale/b", body=b"not idempotent")
    # RFC 9112 §9.3.1: a POST is not sent twice; the upstream may have acted on it.
    assert r.status == 502, r
    assert len(accepted) == 1


def test_content_of_known_length_is_streamed_with_that_length_and_expect_is_not_sent(
        proxy, upstreams, tmp_path):
    seen = upstreams[0]
    data = bytes(range(256)) * 4096 * 3  # 3 MiB: curl sends Expect: 100-continue
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    p = subprocess.run(["curl", "-sS", "--data-binary", f"@{path}",
                        f"http://127.0.0.1:{proxy.port}/api/upload"],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"POST /api/upload {len(data)} {hashlib.sha256(data).hexdigest()}\n".encode()
    fields = seen.last()["fields"]
    assert fields["content-length"] == str(len(data))
    assert "transfer-encoding" not in fields
    assert "expect" not in fields


def test_chunked_content_is_streamed_chunked_and_arrives_byte_exact(proxy, upstreams):
    seen = upstreams[0]
    data = b"".join(bytes([i]) * (1000 + i) for i in range(200))
    p = subprocess.run(["curl", "-sS", "-T", "-", "-H", "Expect:",
                        f"http://127.0.0.1:{proxy.port}/api/chunked"],
                       input=data, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"PUT /api/chunked {len(data)} {hashlib.sha256(data).hexdigest()}\n".encode()
    fields = seen.last()["fields"]
    assert fields["transfer-encoding"] == "chunked"
    assert "content-length" not in fields


def peak_rss_reset(pid: int) -> int:
    """Resets the process's peak resident size (VmHWM) to its current one; returns that, KiB."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return rss(pid, "VmHWM")


def rss(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {key} for {pid}")


def test_a_gibibyte_each_way_streams_byte_exact_with_bounded_memory(proxy, upstreams):
    seen = upstreams[0]
    pid = proxy.proc.pid
    with Conn(proxy.port) as c:  # warm: the connections and buffers a transfer uses exist
        assert exchange(c, "POST", "/api/warm", body=BLOCK).status == 200
        assert exchange(c, "GET", "/api/big/4").status == 200
    before = peak_rss_reset(pid)

    with socket.create_connection(("127.0.0.1", proxy.port), timeout=60) as s:
        s.sendall(b"PUT /api/gib HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % GIB)
        for _ in range(GIB // len(BLOCK)):
            s.sendall(BLOCK)
        reply = b""
        while b"\n" not in reply.partition(b"\r\n\r\n")[2]:
            piece = s.recv(65536)
            assert piece, reply
            reply += piece
    expected = hashlib.sha256()
    for _ in range(GIB // len(BLOCK)):
        expected.update(BLOCK)
    assert reply.startswith(b"HTTP/1.1 200 "), reply[:200]
    assert reply.endswith(f"PUT /api/gib {GIB} {expected.hexdigest()}\n".encode())
    assert seen.last()["length"] == GIB
    upload_growth = rss(pid, "VmHWM") - before

    before = peak_rss_reset(pid)
    got = hashlib.sha256()
    received = 0
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=60) as s:
        s.sendall(b"GET /api/big/1024 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(65536)
        head, _, rest = head.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert b"\r\ncontent-length: %d" % GIB in head.lower()
        got.update(rest)
        received += len(rest)
        while True:
            piece = s.recv(1 << 20)
            if not piece:
                break
            got.update(piece)
            received += len(piece)
    assert received == GIB
    assert got.hexdigest() == expected.hexdigest()
    download_growth = rss(pid, "VmHWM") - before

    # The bound: the server's resident memory grows by less than 32 MiB either way.
    assert upload_growth < 32 * 1024, f"upload: +{upload_growth} KiB"
    assert download_growth < 32 * 1024, f"download: +{download_growth} KiB"
    print(f"RSS growth: upload +{upload_growth} KiB, download +{download_growth} KiB")


def test_an_upstream_that_answers_before_the_content_ends_is_relayed_and_the_proxy_goes_on(
        start_server, tmp_path: Path, upstreams):
    # The upstream answers 413 from the head and reads nothing until the client has the
    # answer, so that the proxy holds the client's content (its window full) when the answer
    # goes; then it reads all that comes. The client's reader belongs to its connection, which
    # ends with the answer: nothing the upstream's reading wakes may reach it.
    answered = threading.Event()

    def early(conn: socket.socket) -> None:
        with conn:
            f = conn.makefile("rb")
            read_head(f)
            conn.sendall(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 9\r\n"
                         b"Connection: close\r\n\r\ntoo large")
            answered.wait(10)
            while f.read(65536):
                pass

    early_port, early_sock = socket_server(early)
    counting = upstreams[1]
    config = tmp_path / "early.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 1\ndrain_timeout = "1s"\n'
                      '[server.limits]\nbody = "64MiB"\n[[sites]]\ndefault = true\n'
                      f'[[sites.proxy]]\nprefix = "/early/"\nupstreams = ["127.0.0.1:{early_port}"]\n'
                      f'[[sites.proxy]]\nprefix = "/api/"\nupstreams = ["127.0.0.1:{counting}"]\n')
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-proxy-early")
    # Far past what the proxy holds and the sockets' buffers take.
    content = BLOCK * 32
    with Conn(server.port) as c:
        c.send(f"POST /early/upload HTTP/1.1\r\nHost: localhost\r\n"
               f"Content-Length: {len(content)}\r\n\r\n".encode())

        def send_content() -> None:
            try:
                c.sock.sendall(content)
            except OSError:
                pass  # the proxy closes once it has answered

        threading.Thread(target=send_content, daemon=True).start()
        r = c.read_response()
        answered.set()
        assert (r.status, r.body, r.header("Connection")) == (413, b"too large", "close"), r
    # The worker goes on: the next connection takes the same working sets.
    for i in range(3):
        with Conn(server.port) as c:
            r = exchange(c, "POST", f"/api/after{i}", body=b"x" * 300_000)
            assert (r.status, r.body.split()[:3]) == (200, [b"POST", f"/api/after{i}".encode(),
                                                             b"300000"]), r
    early_sock.close()
