"""Sites that are HTTPS only: `[sites.tls] redirect_http` answers a request over plain HTTP with
308 to the same target on https (RFC 9110 §15.4.9), and `hsts` sends Strict-Transport-Security
on every response over TLS, never over plain HTTP (RFC 6797 §7.2).

The server (`teapot serve --config`, certificates from `teapot cert`) holds three sites:
localhost, HTTPS only with HSTS; other.test, served over both without either; and the default
site, HTTPS only, named by a wildcard and then fallback.test.
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, dev_certificates, free_port, require, run_cli
from wire import Conn, Response, request

HSTS = "max-age=31536000; includeSubDomains"


@dataclass
class HttpsOnly:
    server: object  # conftest's Server: .port is the plain port
    tls_port: int
    certs: dict[str, Path]

    def plain(self, data: bytes, *, head: bool = False) -> Response:
        with Conn(self.server.port) as c:
            c.send(data)
            return c.read_final_response(head=head)[1]

    def tls(self, data: bytes, *, host: str = "localhost", head: bool = False) -> Response:
        ctx = ssl.create_default_context(cafile=str(self.certs[host] / "cert.pem"))
        with Conn(self.tls_port) as c:
            c.sock = ctx.wrap_socket(c.sock, server_hostname=host)
            c.send(data)
            return c.read_final_response(head=head)[1]

    def curl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["curl", "-sS", "--cacert", str(self.certs["localhost"] / "cert.pem"),
             "--resolve", f"localhost:{self.tls_port}:127.0.0.1",
             "--resolve", f"localhost:{self.server.port}:127.0.0.1", *args],
            capture_output=True, timeout=30,
        )


def site(hosts: str, cert: str, extra: str = "", root: Path | None = None) -> str:
    return (f"[[sites]]\n{hosts}\n" + (f'root = "{root}"\n' if root else "")
            + f'[sites.tls]\ncertificate = "{cert}/cert.pem"\nkey = "{cert}/key.pem"\n{extra}')


@pytest.fixture
def https_only(start_server, tmp_path: Path) -> HttpsOnly:
    require(TEAPOT_BIN, "teapot")
    root = tmp_path / "www"
    (root / ".well-known" / "acme-challenge").mkdir(parents=True)
    (root / "hello.txt").write_bytes(b"Hello\n")
    (root / ".well-known" / "acme-challenge" / "token1").write_bytes(b"token1.thumbprint\n")
    certs = dev_certificates(tmp_path, ("localhost", "other.test", "fallback.test"))
    tls_port = free_port()
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
        'workers = 2\ndrain_timeout = "1s"\n'
        + site('hosts = ["localhost"]', "localhost",
               'redirect_http = true\nhsts = "365d"\nhsts_include_subdomains = true\n', root)
        + site('hosts = ["other.test"]', "other.test", "", root)
        + site('hosts = ["*.wild.test", "fallback.test"]\ndefault = true', "fallback.test",
               "redirect_http = true\n", root)
    )
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "https-only")
    return HttpsOnly(server, tls_port, certs)


@pytest.mark.parametrize(
    "method, target, host, body, location",
    [
        ("GET", "/hello.txt?x=1&y", "localhost", b"", "https://localhost:TLS/hello.txt?x=1&y"),
        ("HEAD", "/hello.txt", "localhost", b"", "https://localhost:TLS/hello.txt"),
        ("GET", "/missing", "localhost:PLAIN", b"", "https://localhost:TLS/missing"),
        ("POST", "/form", "localhost", b"a=1&b=2", "https://localhost:TLS/form"),
        ("DELETE", "/hello.txt", "LocalHost", b"", "https://LocalHost:TLS/hello.txt"),
        # As received: neither decoded nor normalized.
        ("GET", "/a/%2e%2e/hello.txt?q=%20", "localhost", b"",
         "https://localhost:TLS/a/%2e%2e/hello.txt?q=%20"),
        ("GET", "http://localhost:PLAIN/p?q", "localhost:PLAIN", b"", "https://localhost:TLS/p?q"),
        # The default site, by an IPv6 literal or a wildcard name.
        ("GET", "/v6", "[::1]:PLAIN", b"", "https://[::1]:TLS/v6"),
        ("GET", "/", "a.wild.test", b"", "https://a.wild.test:TLS/"),
    ],
    ids=["GET with query", "HEAD", "404 path", "POST keeps its method", "DELETE",
         "target as received", "absolute-form", "IPv6 literal", "wildcard host"],
)
def test_a_plain_request_to_an_https_only_site_gets_308_to_the_same_target_on_https(
    https_only, method, target, host, body, location
):
    ports = {"TLS": str(https_only.tls_port), "PLAIN": str(https_only.server.port)}
    for name, port in ports.items():
        target, host, location = (s.replace(name, port) for s in (target, host, location))
    res = https_only.plain(request(method, target, host=host, body=body), head=method == "HEAD")
    assert res.status == 308, res
    assert res.header("Location") == location
    assert res.header("Strict-Transport-Security") is None  # RFC 6797 §7.2
    assert int(res.header("Content-Length") or "0") < 1024


def test_an_http_1_0_request_without_host_is_sent_to_the_sites_first_plain_name(https_only):
    res = https_only.plain(b"GET /hello.txt HTTP/1.0\r\n\r\n")
    assert res.status == 308, res
    assert res.header("Location") == f"https://fallback.test:{https_only.tls_port}/hello.txt"


@pytest.mark.parametrize(
    "host, path, body",
    [
        ("localhost", "/.well-known/acme-challenge/token1", b"token1.thumbprint\n"),
        ("other.test", "/hello.txt", b"Hello\n"),
    ],
    ids=["ACME challenge", "site without redirect_http"],
)
def test_what_is_not_redirected_is_served_over_plain_http_without_hsts(https_only, host, path,
                                                                        body):
    res = https_only.plain(request("GET", path, host=host))
    assert res.status == 200, res
    assert res.body == body
    assert res.header("Strict-Transport-Security") is None


def test_options_star_is_answered_over_plain_http(https_only):
    res = https_only.plain(request("OPTIONS", "*", host="localhost"))
    assert res.status == 204, res
    assert res.header("Location") is None


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", "/hello.txt", 200), ("HEAD", "/hello.txt", 200), ("GET", "/missing", 404),
     ("POST", "/hello.txt", 405)],
)
def test_every_response_of_the_site_over_tls_carries_hsts_errors_included(https_only, method, path,
                                                                          status):
    res = https_only.tls(request(method, path, host="localhost", body=b"x" if method == "POST"
                                 else b""), head=method == "HEAD")
    assert res.status == status, res
    assert res.header_all("Strict-Transport-Security") == [HSTS]


def test_a_site_without_hsts_sends_none_over_tls(https_only):
    res = https_only.tls(request("GET", "/hello.txt", host="other.test"), host="other.test")
    assert res.status == 200, res
    assert res.header("Strict-Transport-Security") is None


def test_curl_follows_the_redirect_to_https_with_the_method_and_body(https_only):
    port = https_only.server.port
    p = https_only.curl("-L", "-o", "-", "-w", "\n%{http_code} %{url_effective}",
                        f"http://localhost:{port}/hello.txt")
    assert p.returncode == 0, p.stderr
    content, _, tail = p.stdout.rpartition(b"\n")
    assert content == b"Hello\n"
    assert tail.decode() == f"200 https://localhost:{https_only.tls_port}/hello.txt"
    # A POST is repeated as a POST on https (a static file answers it 405, with HSTS).
    p = https_only.curl("-L", "-d", "a=1", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}",
                        f"http://localhost:{port}/hello.txt")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert out.startswith("HTTP/1.1 308 ")
    assert out.endswith("405")
    assert f"strict-transport-security: {HSTS}".lower() in out.lower()


def test_a_default_site_without_a_plain_name_answers_http_1_0_without_host_403(
    start_server, tmp_path: Path
):
    require(TEAPOT_BIN, "teapot")
    dev_certificates(tmp_path, ("localhost",))
    config = tmp_path / "teapot.toml"
    config.write_text(
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{free_port()}"]\n'
        + site("default = true", "localhost", "redirect_http = true\n")
    )
    server = start_server([TEAPOT_BIN, "serve", "--config", config], "https-only-nameless")
    with Conn(server.port) as c:
        c.send(b"GET / HTTP/1.0\r\n\r\n")
        res = c.read_final_response()[1]
    assert res.status == 403, res
    assert res.header("Location") is None


@pytest.mark.parametrize(
    "tls_keys, message",
    [
        ('hsts = "365d"\nhsts_preload = true\n',
         "sites[0].tls.hsts_preload: the preload list requires includeSubDomains; set "
         "hsts_include_subdomains = true"),
        ('hsts = "180d"\nhsts_include_subdomains = true\nhsts_preload = true\n',
         "sites[0].tls.hsts_preload: the preload list requires a max-age of a year at least; "
         'hsts is 15552000 seconds, write "365d" or more'),
        ("hsts_include_subdomains = true\n",
         'sites[0].tls.hsts_include_subdomains: needs hsts, the max-age of '
         'Strict-Transport-Security (such as "365d")'),
        ('hsts = "1500ms"\n',
         "sites[0].tls.hsts: '1500ms' is not a whole number of seconds, which max-age counts "
         "(RFC 6797 §6.1.1)"),
        ('hsts = "a year"\n',
         "sites[0].tls.hsts: 'a year' is not a duration; write seconds or 500ms, 2s, 1m, 1h"),
        ("redirect_https = true\n",
         "sites[0].tls.redirect_https: unknown key; did you mean 'redirect_http'?"),
    ],
    ids=["preload without subdomains", "preload under a year", "subdomains without hsts",
         "parts of a second", "not a duration", "misspelt key"],
)
def test_teapot_check_refuses_hsts_the_preload_list_would_refuse_and_misspelt_keys(
    tmp_path: Path, tls_keys, message
):
    dev_certificates(tmp_path, ("a.test",))
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\ntls_listen = ["127.0.0.1:8443"]\n'
                      + site('hosts = ["a.test"]', "a.test", tls_keys))
    p = run_cli("check", str(config))
    assert p.returncode == 2, p.stderr
    lines = p.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].endswith(": " + message), lines


def test_teapot_check_refuses_a_redirect_without_a_tls_port(tmp_path: Path):
    dev_certificates(tmp_path, ("a.test",))
    config = tmp_path / "teapot.toml"
    config.write_text(site('hosts = ["a.test"]', "a.test", "redirect_http = true\n"))
    p = run_cli("check", str(config))
    assert p.returncode == 2
    assert p.stderr.decode() == (
        f"{config}:6:17: sites[0].tls.redirect_http: needs server.tls_listen, whose first port "
        "the redirect names; there is no HTTPS port to send clients to\n"
    )


@pytest.mark.parametrize(
    "tls_keys",
    ['hsts = "365d"\nhsts_include_subdomains = true\nhsts_preload = true\nredirect_http = true\n',
     "hsts = 0\n", 'hsts = "1h"\n', "redirect_http = false\n"],
    ids=["preload", "max-age 0", "one hour", "no redirect"],
)
def test_teapot_check_accepts_hsts_and_redirects_it_can_serve(tmp_path: Path, tls_keys):
    dev_certificates(tmp_path, ("a.test",))
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\ntls_listen = ["127.0.0.1:8443"]\n'
                      + site('hosts = ["a.test"]', "a.test", tls_keys))
    p = run_cli("check", str(config))
    assert p.returncode == 0, p.stderr.decode()
