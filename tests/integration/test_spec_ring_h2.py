"""The spec ring over HTTP/2: every case of tests/spec/**/*.md whose requests mean the same on
HTTP/2 is sent as HTTP/2 streams, with prior knowledge (h2c) and over TLS by ALPN (h2), to
`teapot serve --config` with the ring's own configuration, and must get the status, the fields
and the body bytes the case expects of HTTP/1.1 (test_spec_ring.py sends the same cases as
HTTP/1.1 to the same binary).

Left out, each for its reason: the cases of tests/spec/h1/ and every case whose expected
answer is the HTTP/1.1 codec's (400, 411, 414, 431, 505: they judge bytes HTTP/2 frames
differently; the HTTP/2 codec's own limits are tested in test_h2.py); a case whose input does
not parse as whole HTTP/1.1 requests; fields that HTTP/2 forbids (Connection, Keep-Alive,
Transfer-Encoding, Upgrade, §8.2.2) in the request and in the expectations. Over TLS, a case
whose authority the test certificate cannot name (an IP literal) is left to h2c.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, Server, free_port, require, run_cli
from h2wire import H2Conn, H2Response
from spec_cases import Case, copy_spec_tree, read_spec_tree, resolve_placeholders

CODEC_STATUSES = {400, 411, 414, 431, 505}
CONNECTION_SPECIFIC = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                       "upgrade", "te"}
_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP/1\.1")
_FIELD = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*")


@dataclass
class H2Request:
    method: str
    path: str
    authority: str
    fields: list[tuple[bytes, bytes]]
    body: bytes


def dechunk(data: bytes) -> tuple[bytes, bytes] | None:
    body = b""
    while True:
        end = data.find(b"\r\n")
        if end < 0:
            return None
        try:
            size = int(data[:end].split(b";")[0], 16)
        except ValueError:
            return None
        data = data[end + 2:]
        if size == 0:
            end = data.find(b"\r\n\r\n") if not data.startswith(b"\r\n") else -2
            return (body, data[2:]) if end == -2 else (body, data[end + 4:]) if end >= 0 else None
        if len(data) < size + 2 or data[size:size + 2] != b"\r\n":
            return None
        body += data[:size]
        data = data[size + 2:]


def as_h2_requests(data: bytes) -> list[H2Request] | None:
    """The HTTP/1.1 requests of a case as HTTP/2 requests, or None when the bytes are not a
    sequence of whole, well-formed requests with one Host each."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = data[:end].split(b"\r\n")
        m = _REQUEST_LINE.fullmatch(lines[0])
        if not m or not m.group(2).startswith(b"/"):
            return None
        fields, hosts, framing = [], [], None
        for line in lines[1:]:
            f = _FIELD.fullmatch(line)
            if not f or any(c in f.group(2) for c in b"\0\r\n"):
                return None
            name, value = f.group(1).lower(), f.group(2)
            if name == b"host":
                hosts.append(value)
            elif name == b"transfer-encoding":
                framing = "chunked" if value.lower() == b"chunked" else "bad"
            elif name == b"content-length":
                if framing or not value.isdigit():
                    return None
                framing = int(value)
                fields.append((name, value))
            elif name.decode() not in CONNECTION_SPECIFIC:
                fields.append((name, value))
        rest = data[end + 4:]
        if len(hosts) != 1 or not hosts[0] or b"," in hosts[0] or framing == "bad":
            return None
        if framing == "chunked":
            got = dechunk(rest)
            if got is None:
                return None
            body, rest = got
        elif isinstance(framing, int):
            if len(rest) < framing:
                return None
            body, rest = rest[:framing], rest[framing:]
        else:
            body = b""
        out.append(H2Request(m.group(1).decode(), m.group(2).decode("latin-1"),
                             hosts[0].decode("latin-1"), fields, body))
        data = rest
    return out


def eligible(case: Case) -> bool:
    if case.file.startswith("h1/") or any(not r.status_line for r in case.responses):
        return False
    finals = [int(r.status_line.split()[1]) for r in case.responses
              if int(r.status_line.split()[1]) >= 200]
    if any(s in CODEC_STATUSES for s in finals):
        return False
    reqs = as_h2_requests(case.input.encode("latin-1"))
    return reqs is not None and len(reqs) == len(finals)


CASES = [c for c in read_spec_tree() if eligible(c)]


def host_of(authority: str) -> str:
    return "" if authority.startswith("[") else authority.lower().rsplit(":", 1)[0]


def site_names(base: Path) -> list[str]:
    """Every site's host names: a TLS connection for one of them is that site's (SNI), and its
    certificate covers them; any other authority is answered 421 over TLS (RFC 9110
    §15.5.20), where plain HTTP/1.1 takes the default site."""
    names = set()
    for config in (base / "config").glob("*.toml"):
        for site in tomllib.loads(config.read_text()).get("sites", []):
            names.update(h.lower() for h in site.get("hosts", []))
    return sorted(names)


def named_by(names: list[str], host: str) -> bool:
    return any(n == host or (n.startswith("*.") and host.endswith(n[1:]) and
                             "." not in host[: -len(n) + 1]) for n in names)


def with_tls(text: str, port: int, cert: Path) -> str:
    """The configuration with a TLS listener and the test certificate on every site."""
    site_tls = f'[sites.tls]\ncertificate = "{cert / "cert.pem"}"\nkey = "{cert / "key.pem"}"\n'
    text = text.replace("[server]\n", f'[server]\nh2c = true\ntls_listen = ["127.0.0.1:{port}"]\n', 1)
    parts = text.split("\n[[sites]]\n")
    return parts[0] + "".join(f"\n[[sites]]\n{p}\n{site_tls}" for p in parts[1:])


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    """Factory: (plain port, TLS port, cafile, site names) of the server of a config file of
    the ring, one per transport, so that state a case leaves (a rate limit's count) is met by
    the case's own run only, as on HTTP/1.1."""
    require(TEAPOT_BIN, "teapot")
    base = copy_spec_tree(tmp_path_factory.mktemp("spec-h2"))
    cert = base / "cert"
    names = site_names(base)
    dns = sorted({n for n in names} | {"www.spec.test"})
    p = run_cli("cert", str(cert), *[a for n in dns for a in ("--host", n)])
    assert p.returncode == 0, p.stderr
    log_dir = base / "logs"
    log_dir.mkdir()
    servers: dict[tuple[str, str], tuple[Server, int]] = {}

    def get(config: str, transport: str) -> tuple[int, int, str, list[str]]:
        if (config, transport) not in servers:
            tls_port = free_port()
            path = base / "config" / f"{transport}-{config}"
            path.write_text(with_tls((base / "config" / config).read_text(), tls_port, cert))
            argv = [str(TEAPOT_BIN), "serve", "--config", str(path)]
            server = Server(argv, log_dir, f"spec-{transport}-{config}").start()
            servers[(config, transport)] = (server, tls_port)
        server, tls_port = servers[(config, transport)]
        return server.port, tls_port, str(cert / "cert.pem"), names

    yield get
    problems = []
    for s, _ in servers.values():
        s.stop()
        problems += s.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def check(case: Case, want, got: H2Response, transport: str) -> None:
    where = f"{case.where} over {transport} (response block at line {want.line})"
    assert got.status == int(want.status_line.split()[1]), f"{where}: {got!r}"
    for f in want.fields:
        if f.name.lower() in CONNECTION_SPECIFIC:
            continue
        values = [v for n, v in got.headers if n == f.name.lower()]
        value = ", ".join(values) if values else None
        if f.kind == "present":
            assert value is not None, f"{where}: {f.name} is missing: {got!r}"
        elif f.kind == "absent":
            assert value is None, f"{where}: {f.name} is there: {value!r}"
        elif f.kind == "equals":
            assert value == f.value, f"{where}: field {f.name} is {value!r}, not {f.value!r}"
        else:
            assert value is not None and f.value in value, (
                f"{where}: {f.name} is {value!r}, lacking {f.value!r}")
    if want.body is not None:
        assert got.body == want.body, f"{where}: the body is {got.body[:400]!r}"
    for part in want.body_contains:
        assert part in got.body, f"{where}: the body lacks {part!r}: {got.body[:400]!r}"


@pytest.mark.parametrize("transport", ["h2c", "h2"])
@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.file}:{c.line}") for c in CASES])
def test_each_spec_case_gets_the_same_answer_over_http2(ring, case, transport):
    port, tls_port, cafile, names = ring(case.config, transport)
    requests = as_h2_requests(resolve_placeholders(port, case.input).encode("latin-1"))
    hosts = [host_of(r.authority) for r in requests]
    if transport == "h2" and not all(named_by(names, h) for h in hosts):
        pytest.skip("an authority no site names: 421 over TLS (test_h2.py), the default site here")
    conns: dict[str, H2Conn] = {}
    try:
        wants = iter(case.responses)
        for req, host in zip(requests, hosts):
            if host not in conns:  # over TLS, a connection of that site's (SNI)
                conns[host] = (H2Conn.tls(tls_port, cafile, host) if transport == "h2"
                               else H2Conn.plain(port))
            conn = conns[host]
            sid = conn.request(req.method, req.path, authority=req.authority,
                               headers=req.fields, body=req.body or None)
            got = conn.response(sid)
            want = next(wants)
            for code, _fields in got.interim:
                assert int(want.status_line.split()[1]) == code, (
                    f"{case.where} over {transport}: interim {code}, expected {want.status_line}")
                want = next(wants)
            check(case, want, got, transport)
    finally:
        for c in conns.values():
            c.close()
