"""The spec ring against the real binary: every case of tests/spec/**/*.md (tests/spec/README.md)
sent on a connection of its own to `teapot serve --config`, on a copy of tests/spec whose
docroot files all have one fixed modification time. tests/spec/runner runs the same cases in
process."""

from __future__ import annotations

import pytest

from conftest import TEAPOT_BIN, Server, require
from spec_cases import Case, copy_spec_tree, read_spec_tree, resolve_placeholders
from wire import Conn, WireError

PROBE = b"GET /probe.txt HTTP/1.1\r\nHost: spec.test\r\n\r\n"
CASES = read_spec_tree()


@pytest.fixture(scope="module")
def spec_servers(tmp_path_factory):
    """Factory: the server of a config file of tests/spec/config, started once per module."""
    require(TEAPOT_BIN, "teapot")
    base = copy_spec_tree(tmp_path_factory.mktemp("spec"))
    log_dir = base / "logs"
    log_dir.mkdir()
    servers: dict[str, Server] = {}

    def get(config: str) -> Server:
        if config not in servers:
            argv = [str(TEAPOT_BIN), "serve", "--config", str(base / "config" / config)]
            servers[config] = Server(argv, log_dir, f"spec-{config}").start()
        return servers[config]

    yield get
    problems = []
    for s in servers.values():
        s.stop()
        problems += s.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def resolve(port: int, text: str) -> bytes:
    return resolve_placeholders(port, text).encode("latin-1")


def check(case: Case, want, got) -> None:
    where = f"{case.where} (response block at line {want.line})"
    assert f"{got.version} {got.status} {got.reason}" == want.status_line, f"{where}: {got!r}"
    for f in want.fields:
        values = got.header_all(f.name)
        value = ", ".join(values) if values else None
        if f.kind == "present":
            assert value is not None, f"{where}: {f.name} is missing: {got!r}"
        elif f.kind == "absent":
            assert value is None, f"{where}: {f.name} is there: {value!r}"
        elif f.kind == "equals":
            assert value == f.value, f"{where}: field {f.name} is {value!r}, not {f.value!r}"
        else:
            assert value is not None and f.value in value, (
                f"{where}: {f.name} is {value!r}, lacking {f.value!r}"
            )
    if want.body is not None:
        assert got.body == want.body, f"{where}: the body is {got.body[:400]!r}"
    for part in want.body_contains:
        assert part in got.body, f"{where}: the body lacks {part!r}: {got.body[:400]!r}"


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.file}:{c.line}") for c in CASES])
def test_the_binary_answers_each_spec_case_as_written(spec_servers, case):
    server = spec_servers(case.config)
    data = resolve(server.port, case.input)
    with Conn(server.port) as c:
        c.send(data)
        request = 0
        for want in case.responses:
            if not want.status_line:
                continue  # "no response"
            head = request < len(case.methods) and case.methods[request] == "HEAD"
            try:
                got = c.read_response(head=head)
            except WireError as e:
                pytest.fail(f"{case.where}: expected {want.status_line}: {e}", pytrace=False)
            if got.status >= 200:
                request += 1
            check(case, want, got)
        if case.after == "closed":
            try:
                rest = c.closes_within(3.0)
            except WireError as e:
                pytest.fail(f"{case.where}: the connection stays open: {e}", pytrace=False)
            assert rest == b"", f"{case.where}: bytes after the last expected response: {rest!r}"
        elif case.after == "waiting":
            assert c.stays_open_for(0.3), (
                f"{case.where}: the server did not wait: {c.buf[:300]!r} eof={c.eof}"
            )
        else:
            assert c.buf == b"", f"{case.where}: bytes after the last expected response: {c.buf!r}"
            c.send(PROBE)
            try:
                probe = c.read_response()
            except WireError as e:
                pytest.fail(f"{case.where}: the connection did not stay open: {e}", pytrace=False)
            assert probe.body == b"probe\n", f"{case.where}: an unexpected response {probe!r}"
