"""The site policies of a configuration file, provoked from outside over real sockets: each
status code a site decides from its configuration rather than from the resource (103, 301-308,
401, 402, 403, 410, 418, 421, 428, 429, 451, 503, 510, 511), the order of the steps, and a
broken file that starts nothing.

A test that takes `transport` runs over HTTP/1.1, h2c and h2 (transports.py) and asserts the
same on each; the others are about HTTP/1.1 itself (HTTP/1.0, which clients get a 103 there,
the absolute form of a request-target) or about curl and Python's http.client, which speak it.

Every test writes its own file and runs `teapot serve --config FILE`; the file's [server]
names the port (`--config` takes no other flag, so conftest's `start_server`, which appends
`--listen`, cannot be used as it is). Every server is stopped by its PID with SIGTERM at the end
of its test, which then fails unless the server exited with status 0 and left no sanitizer
report on stderr.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import (
    stop_all,
    sha512_crypt,
    SITE,
    START_TIMEOUT,
    TEAPOT_BIN,
    Server,
    build_docroot,
    free_port,
    require,
    sanitizer_report,
)
from transports import Transport, connect, fetch
from wire import Conn, request

# -- servers started from a configuration file ------------------------------------------------

SERVER_TABLE = """\
[server]
listen = ["127.0.0.1:@PORT@"]
workers = 2
drain_timeout = "1s"
"""

# Files of the site besides conftest's docroot (paths relative to the site's root).
POLICY_FILES = {
    "login.html": b"<!doctype html><title>login</title><p>Log in here.\n",
    "private/secret.txt": b"for alice only\n",
    "team/notes.txt": b"for any user\n",
    "builders/plan.txt": b"for the builders group\n",
    "nolocal/x.txt": b"not for loopback clients\n",
    "limited/a.txt": b"rate limited\n",
    "documents/a.txt": b"a document\n",
    "legacy/old.txt": b"still on disk, but gone\n",
    "banned/book.txt": b"still on disk, but blocked\n",
}

USERS = {"alice": "wonderland", "bob": "builder", "zo\u00eb": "caf\u00e9 cr\u00e8me"}
REALM = "Staff only"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'


def basic(user: str, password: str) -> tuple[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return ("Authorization", f"Basic {token}")


class ConfigServer(Server):
    """conftest's Server as `teapot serve --config FILE`: the --listen it appends with a free
    port replaces the file's listener."""

    def __init__(self, text: str, config_path: Path, log_dir: Path, name: str):
        config_path.write_text(text.replace("@PORT@", "1"))
        super().__init__([str(TEAPOT_BIN), "serve", "--config", str(config_path)], log_dir, name)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    """tmp_path with the site's files in site/ and an htpasswd file of USERS."""
    root = build_docroot(tmp_path / "site")
    for rel, content in POLICY_FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
    lines = [f"{user}:{sha512_crypt(pw)}" for user, pw in USERS.items()]
    (tmp_path / "htpasswd").write_text("# users of the policy tests\n" + "\n".join(lines) + "\n")
    return tmp_path


@pytest.fixture
def serve_config(policy_dir: Path):
    """Factory: serve_config(sites_toml, server_extra="", transport=None) starts teapot on a
    file made of the [server] table (plus server_extra) and sites_toml, with what the transport
    needs (h1 without one); relative paths start at policy_dir."""
    require(TEAPOT_BIN, "teapot")
    started: list[ConfigServer] = []
    log_dir = policy_dir / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(sites_toml: str, server_extra: str = "",
              transport: Transport | None = None) -> ConfigServer:
        n = len(started)
        text = SERVER_TABLE + server_extra + "\n" + sites_toml
        text, tls_port = transport.configure(text) if transport else (text, 0)
        s = ConfigServer(text, policy_dir / f"teapot-{n}.toml", log_dir, f"teapot-{n}")
        started.append(s)
        s.start()
        return transport.attach(s, tls_port) if transport else s

    yield start
    stop_all(started)


def get(srv, target: str, *, host: str = "localhost", headers=None, method: str = "GET",
        body: bytes = b""):
    """One request on a fresh connection, by the server's transport (h1 unless attached)."""
    return fetch(srv, method, target, authority=host, headers=headers, body=body)


def curl(*args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    exe = shutil.which("curl")
    if exe is None:
        pytest.fail("curl is not installed (Debian package curl)")
    return subprocess.run(
        [exe, "-sS", "--max-time", "10", *args], capture_output=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def index_body() -> bytes:
    return SITE["index.html"]


# -- 103 Early Hints ----------------------------------------------------------------------------

HINTS = ["</style.css>; rel=preload; as=style", "</app.js>; rel=preload; as=script"]

EARLY_HINTS_SITE = f"""
[[sites]]
default = true
root = "site"

[[sites.early_hints]]
exact = "/"
links = ["{HINTS[0]}"]

[[sites.early_hints]]
exact = "/"
links = ["{HINTS[1]}"]
"""


BROWSER = [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0")]


def test_a_configured_path_gets_a_103_with_its_links_before_the_final_200(
    serve_config, transport
):
    srv = serve_config(EARLY_HINTS_SITE, transport=transport)
    with connect(srv) as c:
        final = c.fetch("GET", "/", headers=BROWSER)
        interims = final.interim
        assert [r.status for r in interims] == [103], interims
        assert interims[0].header_all("Link") == HINTS, interims[0]
        assert interims[0].reason_is("Early Hints"), interims[0]
        assert final.status == 200, final
        assert final.body == index_body()
        # The connection is still good for another request.
        final = c.fetch("GET", "/hello.txt")
        assert final.interim == [] and final.status == 200 and final.body == b"Hello, file!\n"


@pytest.mark.parametrize("transport", ["h2c", "h2"], indirect=True)
def test_over_http2_every_client_gets_the_103_whatever_http1_clients_says(serve_config, transport):
    # RFC 9113 §8.1: an HTTP/2 response may begin with interim HEADERS, which every client reads
    # (RFC 8297 §3); http1_clients chooses among HTTP/1.1 clients only.
    for clients in ("known", "none"):
        site = EARLY_HINTS_SITE.replace('exact = "/"', f'exact = "/"\nhttp1_clients = "{clients}"')
        srv = serve_config(site, transport=transport)
        for headers in ([], [("User-Agent", "Java/17")], [("User-Agent", "Python-urllib/3.11")]):
            final = get(srv, "/", headers=headers)
            assert [i.status for i in final.interim] == [103], (clients, headers, final)
            assert final.interim[0].header_all("Link") == HINTS, final.interim[0]
            assert (final.status, final.body) == (200, index_body()), final


def test_an_http_1_0_client_gets_no_103_only_the_final_response(serve_config):
    srv = serve_config(EARLY_HINTS_SITE)
    with Conn(srv.port) as c:
        c.send(request("GET", "/", version="HTTP/1.0"))
        first = c.read_response()
        assert first.status == 200, first
        assert first.body == index_body()


def test_curl_sees_the_103_and_still_gets_the_final_200_with_its_body(serve_config, tmp_path):
    srv = serve_config(EARLY_HINTS_SITE)
    out = tmp_path / "curl-body"
    p = curl("-o", str(out), "-w", "%{http_code}", srv.url("/"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"200"
    assert out.read_bytes() == index_body()
    heads = curl("-i", "-o", "-", srv.url("/")).stdout
    assert re.match(rb"HTTP/1\.1 103 Early Hints\r\n", heads), heads[:300]
    assert b"\r\n\r\nHTTP/1.1 200 OK\r\n" in heads, heads[:600]


def http_client_skips_interim_responses() -> bool:
    """Whether this Python's http.client passes over a 103 to the final response. (3.11's
    HTTPResponse.begin() skips only 100 Continue and hands any other 1xx to the caller.)"""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)

    def answer():
        c, _ = lsock.accept()
        with c:
            c.recv(65536)
            c.sendall(
                b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            )

    t = threading.Thread(target=answer, daemon=True)
    t.start()
    try:
        h = http.client.HTTPConnection("127.0.0.1", lsock.getsockname()[1], timeout=5)
        h.request("GET", "/")
        status = h.getresponse().status
        h.close()
    finally:
        t.join(5)
        lsock.close()
    return status == 200


def test_python_http_client_still_gets_the_final_200_on_a_hinted_path(serve_config):
    # This Python's http.client hands a 103 to the caller as the final response (3.11 skips
    # only 100), which is why by default a 103 goes only to browsers and curl.
    srv = serve_config(EARLY_HINTS_SITE)
    for agent in (None, "Python-urllib/3.11"):
        h = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        try:
            h.request("GET", "/", headers={"User-Agent": agent} if agent else {})
            r = h.getresponse()
            assert r.status == 200, agent
            assert r.read() == index_body()
        finally:
            h.close()
    # Where the hint goes to every client, this http.client is harmed, as with any server that
    # sends 103 over HTTP/1.1; a Python that skips 1xx gets its 200.
    srv = serve_config(EARLY_HINTS_SITE.replace('exact = "/"', 'exact = "/"\nhttp1_clients = "all"'))
    h = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        h.request("GET", "/")
        expected = 200 if http_client_skips_interim_responses() else 103
        assert h.getresponse().status == expected
    finally:
        h.close()


def test_a_client_neither_browser_nor_curl_gets_no_103_unless_the_site_says_all(serve_config):
    """HTTP/1.1 only: over HTTP/2 every client gets the 103 (test_over_http2_every_client_...)."""
    srv = serve_config(EARLY_HINTS_SITE)
    for headers in ([], [("User-Agent", "Java/17")]):
        with Conn(srv.port) as c:
            c.send(request("GET", "/", headers=headers))
            first = c.read_response()
            assert first.status == 200, (headers, first)
            assert first.body == index_body()
    srv = serve_config(EARLY_HINTS_SITE.replace('exact = "/"', 'exact = "/"\nhttp1_clients = "all"'))
    with Conn(srv.port) as c:
        c.send(request("GET", "/"))
        interims, final = c.read_final_response()
        assert [r.status for r in interims] == [103] and final.status == 200


def test_http1_clients_none_keeps_the_103_even_from_curl(serve_config):
    srv = serve_config(EARLY_HINTS_SITE.replace('exact = "/"', 'exact = "/"\nhttp1_clients = "none"'))
    heads = curl("-i", "-o", "-", srv.url("/")).stdout
    assert heads.startswith(b"HTTP/1.1 200 OK\r\n"), heads[:300]


# -- 301 302 303 307 308 -----------------------------------------------------------------------


class Landing(http.server.BaseHTTPRequestHandler):
    """Where the absolute redirects lead: records each request's method, path and body."""

    seen: list[tuple[str, str, bytes]] = []

    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        type(self).seen.append((self.command, self.path, body))
        reply = f"landed {self.command}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = _record

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def landing():
    Landing.seen = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Landing)
    # A short poll: shutdown() waits for it, at the end of every test that lands here.
    t = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()
    t.join(5)


def redirect_site(landing_port: int) -> str:
    away = f"http://127.0.0.1:{landing_port}"
    return f"""
[[sites]]
default = true
root = "site"

[[sites.rules]]
prefix = "/r301/"
kind = "redirect"
to = "/new/$1"
status = 301

[[sites.rules]]
prefix = "/r302/"
kind = "redirect"
to = "/new/$1"

[[sites.rules]]
exact = "/r303"
kind = "redirect"
to = "/find"
status = 303
keep_query = false

[[sites.rules]]
glob = "/r307/*/*.php"
kind = "redirect"
to = "/v2/$2/$1"
status = 307

[[sites.rules]]
prefix = "/r308/"
kind = "redirect"
to = "https://www.example.org/$1"
status = 308

[[sites.rules]]
exact = "/away303"
kind = "redirect"
to = "{away}/landing303"
status = 303

[[sites.rules]]
exact = "/away307"
kind = "redirect"
to = "{away}/landing307"
status = 307

[[sites.rules]]
exact = "/away308"
kind = "redirect"
to = "{away}/landing308"
status = 308
"""


@pytest.mark.parametrize(
    "target,status,location",
    [
        ("/r301/a/b.html?x=1", 301, "/new/a/b.html?x=1"),
        ("/r302/c.txt", 302, "/new/c.txt"),
        ("/r303?q=tea", 303, "/find"),
        ("/r307/2024/post.php", 307, "/v2/post/2024"),
        ("/r308/docs/x?y=2", 308, "https://www.example.org/docs/x?y=2"),
    ],
    ids=["301", "302", "303", "307", "308"],
)
def test_a_redirect_rule_answers_its_status_with_a_location_made_of_captures_and_query(
    serve_config, landing, target, status, location, transport
):
    srv = serve_config(redirect_site(landing), transport=transport)
    r = get(srv, target)
    assert r.status == status, r
    assert r.header("Location") == location, r
    # HEAD gets the same status and Location, without a body.
    h = get(srv, target, method="HEAD")
    assert (h.status, h.header("Location"), h.body) == (status, location, b""), h


@pytest.mark.parametrize("code", [307, 308])
def test_a_post_to_a_307_or_308_gets_the_same_redirect(serve_config, landing, code, transport):
    srv = serve_config(redirect_site(landing), transport=transport)
    want = f"http://127.0.0.1:{landing}/landing{code}"
    assert get(srv, f"/away{code}").header("Location") == want
    r = get(srv, f"/away{code}", method="POST", body=b"a=1&b=2",
            headers=[("Content-Type", "application/x-www-form-urlencoded")])
    assert r.status == code, r
    assert r.header("Location") == want, r


@pytest.mark.parametrize("code", [307, 308])
def test_curl_follows_a_307_or_308_with_post_and_body(serve_config, landing, code):
    srv = serve_config(redirect_site(landing))
    # A client left to its own rules keeps the method and the body on 307/308 ...
    p = curl("-L", "--data", "a=1&b=2", srv.url(f"/away{code}"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"landed POST\n"
    # ... and so does one told the method.
    p = curl("-L", "-X", "POST", "--data", "c=3", srv.url(f"/away{code}"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"landed POST\n"
    assert Landing.seen == [
        ("POST", f"/landing{code}", b"a=1&b=2"),
        ("POST", f"/landing{code}", b"c=3"),
    ]


def test_a_post_to_a_303_gets_303(serve_config, landing, transport):
    srv = serve_config(redirect_site(landing), transport=transport)
    r = get(srv, "/away303", method="POST", body=b"a=1")
    assert r.status == 303, r
    assert r.header("Location") == f"http://127.0.0.1:{landing}/landing303", r


def test_a_post_to_a_303_is_followed_with_a_get(serve_config, landing):
    srv = serve_config(redirect_site(landing))
    p = curl("-L", "--data", "a=1", srv.url("/away303"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"landed GET\n"
    assert Landing.seen == [("GET", "/landing303", b"")]


# -- 401 and 403 --------------------------------------------------------------------------------

AUTH_SITE = f"""
[[sites]]
default = true
root = "site"

[sites.auth]
htpasswd = "htpasswd"
realm = "{REALM}"

[sites.auth.groups]
builders = ["bob"]

[[sites.auth.paths]]
prefix = "/private/"
users = ["alice", "zo\u00eb"]

[[sites.auth.paths]]
prefix = "/team/"
users = ["*"]

[[sites.auth.paths]]
prefix = "/builders/"
groups = ["builders"]

[[sites.auth.paths]]
prefix = "/nolocal/"
deny = ["127.0.0.0/8"]
"""


def test_a_protected_path_without_credentials_gets_401_with_a_basic_utf8_challenge(
    serve_config, transport,
):
    srv = serve_config(AUTH_SITE, transport=transport)
    r = get(srv, "/private/secret.txt")
    assert r.status == 401, r
    assert r.header_all("WWW-Authenticate") == [CHALLENGE], r
    assert b"for alice only" not in r.body
    # Paths no entry guards need no credentials.
    assert get(srv, "/hello.txt").status == 200


@pytest.mark.parametrize(
    "user,password",
    [("alice", "wonderland!"), ("alice", ""), ("mallory", "wonderland"), ("alice", "WONDERLAND")],
    ids=["wrong password", "empty password", "unknown user", "password in the wrong case"],
)
def test_wrong_credentials_get_401_with_the_challenge_again(
    serve_config, user, password, transport
):
    srv = serve_config(AUTH_SITE, transport=transport)
    r = get(srv, "/private/secret.txt", headers=[basic(user, password)])
    assert r.status == 401, r
    assert r.header("WWW-Authenticate") == CHALLENGE, r
    assert b"for alice only" not in r.body


def test_malformed_credentials_get_401_never_400_or_500(serve_config, transport):
    srv = serve_config(AUTH_SITE, transport=transport)
    no_colon = "Basic " + base64.b64encode(b"nocolon").decode()
    for value in ["Basic", "Basic !!!", "Bearer abc", no_colon]:
        r = get(srv, "/private/secret.txt", headers=[("Authorization", value)])
        assert r.status == 401, (value, r)
        assert r.header("WWW-Authenticate") == CHALLENGE, (value, r)


def test_right_credentials_get_the_file_also_for_a_utf8_user(serve_config, transport):
    srv = serve_config(AUTH_SITE, transport=transport)
    for user in ("alice", "zo\u00eb"):
        r = get(srv, "/private/secret.txt", headers=[basic(user, USERS[user])])
        assert r.status == 200, (user, r)
        assert r.body == b"for alice only\n"
    r = get(srv, "/team/notes.txt", headers=[basic("bob", "builder")])
    assert (r.status, r.body) == (200, b"for any user\n"), r


def test_curl_sends_credentials_and_gets_the_file_or_401(serve_config):
    srv = serve_config(AUTH_SITE)
    p = curl("-u", "alice:wonderland", "-w", " %{http_code}", srv.url("/private/secret.txt"))
    assert p.stdout == b"for alice only\n 200", p.stderr
    p = curl("-u", "alice:nope", "-o", "/dev/null", "-w", "%{http_code}",
             srv.url("/private/secret.txt"))
    assert p.stdout == b"401"


def test_a_valid_user_the_path_does_not_allow_gets_403(serve_config, transport):
    srv = serve_config(AUTH_SITE, transport=transport)
    r = get(srv, "/private/secret.txt", headers=[basic("bob", "builder")])
    assert r.status == 403, r
    assert b"for alice only" not in r.body
    # Groups: bob is a builder, alice is not.
    assert get(srv, "/builders/plan.txt", headers=[basic("bob", "builder")]).status == 200
    r = get(srv, "/builders/plan.txt", headers=[basic("alice", "wonderland")])
    assert r.status == 403, r
    # A wrong password for a user who would not be allowed anyway is still a 401.
    r = get(srv, "/private/secret.txt", headers=[basic("bob", "wrong")])
    assert r.status == 401, r


def test_a_path_that_denies_the_loopback_network_gets_403_even_with_valid_credentials(
    serve_config, transport,
):
    srv = serve_config(AUTH_SITE, transport=transport)
    r = get(srv, "/nolocal/x.txt")
    assert r.status == 403, r
    assert r.header("WWW-Authenticate") is None, r
    r = get(srv, "/nolocal/x.txt", headers=[basic("alice", "wonderland")])
    assert r.status == 403, r
    assert b"not for loopback" not in r.body


def test_a_site_that_denies_127_0_0_0_8_answers_403_to_every_loopback_request(
    serve_config, transport
):
    srv = serve_config(
        '[[sites]]\ndefault = true\nroot = "site"\n\n[sites.auth]\ndeny = ["127.0.0.0/8"]\n',
        transport=transport,
    )
    for target in ("/", "/hello.txt", "/no-such-file"):
        r = get(srv, target)
        assert r.status == 403, (target, r)
        assert b"Hello" not in r.body


def test_a_site_that_allows_only_another_network_answers_403_to_loopback(serve_config, transport):
    srv = serve_config(
        '[[sites]]\ndefault = true\nroot = "site"\n\n[sites.auth]\nallow = ["10.0.0.0/8"]\n',
        transport=transport,
    )
    assert get(srv, "/hello.txt").status == 403


# -- 402 410 418 428 451 and header rules --------------------------------------------------------

BLOCKED_BY = "https://authority.example.org/orders/17"

RULES_SITE = f"""
[[sites]]
default = true
root = "site"

[[sites.rules]]
exact = "/premium"
kind = "return"
status = 402
body = "This content needs a subscription.\\n"
headers = {{ "X-Subscription" = "https://pay.example.org/" }}

[[sites.rules]]
exact = "/premium-plain"
kind = "return"
status = 402

[[sites.rules]]
prefix = "/legacy/"
kind = "gone"

[[sites.rules]]
prefix = "/banned/"
kind = "legal_block"
blocked_by = "{BLOCKED_BY}"

[[sites.rules]]
exact = "/coffee"
kind = "teapot"

[[sites.rules]]
prefix = "/documents/"
kind = "require_conditional"

[[sites.rules]]
prefix = "/"
kind = "headers"
add = {{ "X-Frame-Options" = "DENY" }}
remove = ["X-Content-Type-Options", "Accept-Ranges"]
"""

BREW_METHODS = (
    'methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW", "WHEN"]\n'
)


def test_a_return_rule_answers_402_with_its_body_and_headers(serve_config, transport):
    srv = serve_config(RULES_SITE, transport=transport)
    r = get(srv, "/premium")
    assert r.status == 402, r
    assert r.reason_is("Payment Required"), r
    assert r.body == b"This content needs a subscription.\n"
    assert r.header("Content-Type") == "text/plain; charset=utf-8"
    assert r.header("X-Subscription") == "https://pay.example.org/"
    # Without a body: the standard error page, with its charset.
    r = get(srv, "/premium-plain")
    assert r.status == 402, r
    assert r.body
    assert "charset=utf-8" in (r.header("Content-Type") or "").lower(), r


def test_a_gone_rule_answers_410_even_where_the_file_still_exists(serve_config, transport):
    srv = serve_config(RULES_SITE, transport=transport)
    r = get(srv, "/legacy/old.txt")
    assert r.status == 410, r
    assert r.reason_is("Gone"), r
    assert b"still on disk" not in r.body
    assert get(srv, "/legacy/never-was").status == 410


def test_a_legal_block_answers_451_with_a_blocked_by_link(serve_config, transport):
    srv = serve_config(RULES_SITE, transport=transport)
    r = get(srv, "/banned/book.txt")
    assert r.status == 451, r
    assert r.reason_is("Unavailable For Legal Reasons"), r
    assert r.header_all("Link") == [f'<{BLOCKED_BY}>; rel="blocked-by"'], r
    assert b"still on disk" not in r.body


def test_the_teapot_rule_answers_418_to_get_post_brew_and_when(serve_config, transport):
    srv = serve_config(RULES_SITE, BREW_METHODS, transport=transport)
    for method in ("GET", "POST", "BREW", "WHEN"):
        body = b"start" if method in ("POST", "BREW") else b""
        headers = [("Content-Type", "message/coffeepot")] if method == "BREW" else []
        r = get(srv, "/coffee", method=method, headers=headers, body=body)
        assert r.status == 418, (method, r)
        assert r.reason_is("I'm a teapot"), r


def test_curl_brews_and_gets_418(serve_config):
    srv = serve_config(RULES_SITE, BREW_METHODS)
    p = curl("-X", "BREW", "-o", "/dev/null", "-w", "%{http_code}", srv.url("/coffee"))
    assert p.stdout == b"418", p.stderr


def test_brew_is_501_on_a_server_whose_methods_do_not_list_it(serve_config, transport):
    srv = serve_config(RULES_SITE, transport=transport)
    r = get(srv, "/coffee", method="BREW")
    assert r.status == 501, r
    assert get(srv, "/coffee").status == 418


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_write_without_if_match_or_if_unmodified_since_gets_428(serve_config, method, transport):
    srv = serve_config(RULES_SITE, transport=transport)
    body = b"new text\n" if method != "DELETE" else b""
    r = get(srv, "/documents/a.txt", method=method, body=body)
    assert r.status == 428, r
    assert r.reason_is("Precondition Required"), r
    # With a precondition the rule lets the write through to whatever answers it next.
    for cond in [("If-Match", '"abc"'), ("If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")]:
        r = get(srv, "/documents/a.txt", method=method, body=body, headers=[cond])
        assert r.status != 428, (cond, r)
    # Reads are never asked for a precondition.
    r = get(srv, "/documents/a.txt")
    assert (r.status, r.body) == (200, b"a document\n"), r


def test_a_headers_rule_adds_and_removes_fields_on_every_response(serve_config, transport):
    srv = serve_config(RULES_SITE, transport=transport)
    for target in ("/hello.txt", "/legacy/old.txt", "/no-such-file"):
        r = get(srv, target)
        assert r.header_all("X-Frame-Options") == ["DENY"], (target, r)
        # One field the file handler sets, one the representation layer adds after it.
        assert r.header("X-Content-Type-Options") is None, (target, r)
        assert r.header("Accept-Ranges") is None, (target, r)


# -- 421 strict hosts ----------------------------------------------------------------------------

STRICT_SITES = """
[[sites]]
hosts = ["localhost", "127.0.0.1"]
root = "site"

[[sites]]
hosts = ["*.example.net"]
root = "site"
"""


def test_a_host_no_site_claims_gets_421_with_strict_hosts(serve_config, transport):
    srv = serve_config(STRICT_SITES, "strict_hosts = true\n", transport=transport)
    for host in ("localhost", f"127.0.0.1:{srv.port}", "LocalHost", "www.example.net"):
        r = get(srv, "/hello.txt", host=host)
        assert (r.status, r.body) == (200, b"Hello, file!\n"), (host, r)
    for host in ("other.example", "example.net", "localhost.evil"):
        r = get(srv, "/hello.txt", host=host)
        assert r.status == 421, (host, r)
        assert r.reason_is("Misdirected Request"), r
        assert b"Hello, file!" not in r.body


def test_an_absolute_form_target_naming_a_foreign_authority_gets_421(serve_config):
    """HTTP/1.1 only: the absolute form is a request-target of HTTP/1.1 (RFC 9112 §3.2.2)."""
    srv = serve_config(STRICT_SITES, "strict_hosts = true\n")
    r = get(srv, "http://other.example/hello.txt", host="localhost")
    assert r.status == 421, r
    r = get(srv, f"http://localhost:{srv.port}/hello.txt", host="localhost")
    assert (r.status, r.body) == (200, b"Hello, file!\n"), r


# -- 429 rate limits -----------------------------------------------------------------------------

RATE_SITE = """
[[sites]]
default = true
root = "site"

[[sites.rate_limits]]
prefix = "/limited/"
rate = "2/s"
burst = 2
"""


def test_over_the_rate_a_client_gets_429_and_after_retry_after_it_is_let_through(
    serve_config, transport
):
    srv = serve_config(RATE_SITE, transport=transport)
    for i in range(2):
        r = get(srv, "/limited/a.txt")
        assert r.status == 200, (i, r)
        assert r.header("RateLimit-Policy") == '"default";q=2;w=1', r
        assert r.header("RateLimit") is not None, r
    r = get(srv, "/limited/a.txt")
    assert r.status == 429, r
    assert r.reason_is("Too Many Requests"), r
    retry_after = r.header("Retry-After")
    assert retry_after is not None and retry_after.isdigit() and int(retry_after) >= 1, r
    assert int(retry_after) <= 1, r  # a token comes back every 0.5 s; whole seconds, rounded up
    assert r.header("RateLimit-Policy") == '"default";q=2;w=1', r
    assert re.fullmatch(r'"default";r=0;t=\d+', r.header("RateLimit") or ""), r
    assert b"rate limited" not in r.body
    # Paths outside the prefix are not limited.
    assert get(srv, "/hello.txt").status == 200
    time.sleep(int(retry_after) + 0.1)
    r = get(srv, "/limited/a.txt")
    assert (r.status, r.body) == (200, b"rate limited\n"), r


# -- 503 maintenance -----------------------------------------------------------------------------

TRIGGER_WAIT = 1.3  # the trigger file is looked at no more than once per second


def test_creating_and_removing_the_trigger_file_switches_503_on_and_off(
    serve_config, policy_dir, transport
):
    trigger = policy_dir / "maintenance.on"
    srv = serve_config(
        '[[sites]]\ndefault = true\nroot = "site"\n\n[sites.maintenance]\n'
        'trigger_file = "maintenance.on"\nretry_after = "2m"\n',
        transport=transport,
    )
    assert get(srv, "/hello.txt").status == 200
    trigger.write_text("")
    time.sleep(TRIGGER_WAIT)
    for target in ("/hello.txt", "/"):
        r = get(srv, target)
        assert r.status == 503, (target, r)
        assert r.reason_is("Service Unavailable"), r
        assert r.header("Retry-After") == "120", r
        assert b"Hello" not in r.body
    trigger.unlink()
    time.sleep(TRIGGER_WAIT)
    r = get(srv, "/hello.txt")
    assert (r.status, r.body) == (200, b"Hello, file!\n"), r


def test_maintenance_enabled_for_a_prefix_answers_503_there_only(serve_config, transport):
    srv = serve_config(
        '[[sites]]\ndefault = true\nroot = "site"\n\n[sites.maintenance]\nenabled = true\n'
        'prefixes = ["/team/"]\nretry_after = "Sun, 06 Nov 1994 08:49:37 GMT"\n',
        transport=transport,
    )
    r = get(srv, "/team/notes.txt")
    assert r.status == 503, r
    assert r.header("Retry-After") == "Sun, 06 Nov 1994 08:49:37 GMT", r
    assert get(srv, "/hello.txt").status == 200


# -- 510 mandatory extensions -------------------------------------------------------------------

EXTENSIONS_SITE = """
[[sites]]
default = true
root = "site"
mandatory_extensions = ["http://ext.example/implemented"]
"""
EXTENSION_METHODS = 'methods = ["GET", "HEAD", "POST", "M-GET"]\n'


def test_an_m_method_the_server_lists_gets_510(serve_config, transport):
    srv = serve_config(EXTENSIONS_SITE, EXTENSION_METHODS, transport=transport)
    r = get(srv, "/hello.txt", method="M-GET",
            headers=[("Man", '"http://ext.example/unknown"; ns=16')])
    assert r.status == 510, r
    assert r.reason_is("Not Extended"), r


def test_a_man_field_naming_an_extension_not_implemented_gets_510(serve_config, transport):
    srv = serve_config(EXTENSIONS_SITE, EXTENSION_METHODS, transport=transport)
    r = get(srv, "/hello.txt", headers=[("Man", '"http://ext.example/unknown"; ns=16')])
    assert r.status == 510, r
    assert b"Hello, file!" not in r.body
    # An implemented one, or an optional one, changes nothing.
    r = get(srv, "/hello.txt", headers=[("Man", '"http://ext.example/implemented"; ns=16')])
    assert (r.status, r.body) == (200, b"Hello, file!\n"), r
    r = get(srv, "/hello.txt", headers=[("Opt", '"http://ext.example/unknown"; ns=16')])
    assert (r.status, r.body) == (200, b"Hello, file!\n"), r


# -- 511 captive portal --------------------------------------------------------------------------

CAPTIVE_SITE = """
[[sites]]
default = true
root = "site"

[sites.captive_portal]
login_url = "/login.html"
"""


def test_a_captive_portal_answers_511_linking_to_the_login_page_which_itself_is_served(
    serve_config, transport,
):
    srv = serve_config(CAPTIVE_SITE, transport=transport)
    for method, target in [("GET", "/"), ("GET", "/hello.txt"), ("POST", "/anything"),
                           ("HEAD", "/hello.txt")]:
        r = get(srv, target, method=method, body=b"x" if method == "POST" else b"")
        assert r.status == 511, (method, target, r)
        assert r.reason_is("Network Authentication Required"), r
        assert r.header("Cache-Control") == "no-store", r
        assert r.header("Content-Type") == "text/html; charset=utf-8", r
        if method != "HEAD":
            assert b'href="/login.html"' in r.body, r
    r = get(srv, "/login.html")
    assert r.status == 200, r
    assert r.body == POLICY_FILES["login.html"]


def test_curl_gets_511_from_a_captive_portal(serve_config):
    srv = serve_config(CAPTIVE_SITE)
    p = curl("-o", "/dev/null", "-w", "%{http_code}", srv.url("/"))
    assert p.stdout == b"511"


# -- the order of the steps ----------------------------------------------------------------------

ORDER_SITES = """
[[sites]]
hosts = ["portal.test"]
root = "site"

[sites.captive_portal]
login_url = "/login.html"

[sites.maintenance]
enabled = true
retry_after = 30

[sites.auth]
htpasswd = "htpasswd"
realm = "Staff only"

[[sites.auth.paths]]
prefix = "/"
users = ["alice"]

[[sites]]
hosts = ["maint.test"]
root = "site"

[sites.maintenance]
enabled = true
prefixes = ["/private/"]
retry_after = 30

[sites.auth]
htpasswd = "htpasswd"
realm = "Staff only"

[[sites.auth.paths]]
prefix = "/private/"
users = ["alice"]

[[sites]]
hosts = ["rules.test"]
root = "site"

[[sites.rate_limits]]
prefix = "/team/"
rate = "2/m"
burst = 2

[sites.auth]
htpasswd = "htpasswd"
realm = "Staff only"

[[sites.auth.paths]]
prefix = "/team/"
users = ["*"]

[[sites.auth.paths]]
prefix = "/private/"
users = ["alice"]

[[sites.rules]]
prefix = "/private/"
kind = "gone"

[[sites.rules]]
exact = "/"
kind = "gone"

[[sites.early_hints]]
prefix = "/"
links = ["</style.css>; rel=preload; as=style"]
"""


def order_server(serve_config, transport):
    return serve_config(ORDER_SITES, "strict_hosts = true\n", transport=transport)


def test_a_request_that_would_get_both_511_and_401_gets_511(serve_config, transport):
    srv = order_server(serve_config, transport)
    r = get(srv, "/hello.txt", host="portal.test")
    assert r.status == 511, r
    assert r.header("WWW-Authenticate") is None, r


def test_the_login_page_passes_the_portal_and_meets_maintenance_before_auth(
    serve_config, transport
):
    srv = order_server(serve_config, transport)
    r = get(srv, "/login.html", host="portal.test")
    assert r.status == 503, r
    assert r.header("Retry-After") == "30", r


def test_a_request_that_would_get_both_503_and_401_gets_503(serve_config, transport):
    srv = order_server(serve_config, transport)
    r = get(srv, "/private/secret.txt", host="maint.test")
    assert r.status == 503, r
    assert r.header("WWW-Authenticate") is None, r
    # Outside the maintenance prefix, auth is reached.
    assert get(srv, "/hello.txt", host="maint.test").status == 200


def test_the_rate_limit_counts_requests_before_auth_refuses_them(serve_config, transport):
    srv = order_server(serve_config, transport)
    for i in range(2):
        r = get(srv, "/team/notes.txt", host="rules.test")
        assert r.status == 401, (i, r)
    r = get(srv, "/team/notes.txt", host="rules.test", headers=[basic("bob", "builder")])
    assert r.status == 429, r
    assert r.header("Retry-After") is not None, r


def test_auth_comes_before_the_rules_and_rules_before_early_hints(serve_config, transport):
    srv = order_server(serve_config, transport)
    r = get(srv, "/private/secret.txt", host="rules.test")
    assert r.status == 401, r
    r = get(srv, "/private/secret.txt", host="rules.test",
            headers=[basic("alice", "wonderland")])
    assert r.status == 410, r
    with connect(srv, server_name="rules.test") as c:
        # Answered by a rule: no 103 first.
        final = c.fetch("GET", "/", authority="rules.test")
        assert (final.interim, final.status) == ([], 410), final
        # Let through to the files: the 103 comes first.
        final = c.fetch("GET", "/hello.txt", authority="rules.test", headers=BROWSER)
        assert [r.status for r in final.interim] == [103], final
        assert final.status == 200, final


def test_an_unclaimed_host_gets_421_before_any_site_step(serve_config, transport):
    srv = order_server(serve_config, transport)
    r = get(srv, "/hello.txt", host="elsewhere.test")
    assert r.status == 421, r


# -- a broken configuration ----------------------------------------------------------------------

BROKEN = [
    (
        "unknown key",
        'wrokers = 2\n[[sites]]\ndefault = true\n',
        "5:1: server.wrokers: unknown key; did you mean 'workers'?",
    ),
    (
        "redirect 305",
        '[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = "/a/"\nkind = "redirect"\n'
        'to = "/b/$1"\nstatus = 305\n',
        "11:10: sites[0].rules[0].status: 305 is never sent (RFC 9110 §15.4.6: Use Proxy is "
        "deprecated); choose 307 or 308",
    ),
    (
        "missing htpasswd",
        '[[sites]]\ndefault = true\n[sites.auth]\nhtpasswd = "nobody"\n',
        "8:12: sites[0].auth.htpasswd: '{dir}/nobody' does not exist",
    ),
]


@pytest.mark.parametrize("name,tail,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_config_starts_nothing_and_exits_2_with_the_error(
    tmp_path: Path, name, tail, message
):
    require(TEAPOT_BIN, "teapot")
    port = free_port()
    config = tmp_path / "broken.toml"
    config.write_text(SERVER_TABLE.replace("@PORT@", str(port)) + tail)
    proc = subprocess.Popen(
        [str(TEAPOT_BIN), "serve", "--config", str(config)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )
    try:
        out, err = proc.communicate(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"teapot served a broken config ({name}) instead of refusing it")
    text = err.decode(errors="replace")
    assert sanitizer_report(text) is None, text
    assert proc.returncode == 2, text
    assert text.splitlines() == [f"{config}:" + message.replace("{dir}", str(tmp_path))], text
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()


def test_a_missing_config_file_starts_nothing_and_exits_2(tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    p = subprocess.run(
        [str(TEAPOT_BIN), "serve", "--config", str(tmp_path / "absent.toml")],
        capture_output=True, timeout=START_TIMEOUT, stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 2, p.stderr
    assert "absent.toml: cannot be read" in p.stderr.decode(errors="replace")
