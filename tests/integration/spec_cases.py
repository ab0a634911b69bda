"""The spec ring's cases, read from tests/spec/**/*.md as tests/spec/README.md describes.

The in-process runner (tests/spec/runner/spec_cases.cpp) reads the same files the same way;
test_spec_ring.py sends them to the real binary.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from wire import exchange

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"
FIXED_MTIME = 1704067200  # Mon, 01 Jan 2024 00:00:00 GMT
NOT_CASES = {"README.md", "deviations.md"}
NOT_CASE_DIRS = {"site", "config", "runner"}

_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
_PLACEHOLDER = re.compile(r"\{\{etag:([^}]+)\}\}")


class SpecError(ValueError):
    """A case that does not follow the format; the message names file:line."""


def unescape(text: str) -> bytes:
    out, i = b"", 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 == len(text):
            out += ch.encode("utf-8")
            i += 1
            continue
        e = text[i + 1]
        if e in _ESCAPES:
            out += _ESCAPES[e]
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 2 : i + 4]):
            out += bytes([int(text[i + 2 : i + 4], 16)])
            i += 4
        else:
            raise SpecError(f"unknown escape \\{e}")
    return out


def _cut(line: str) -> bool:
    """A line that ends in a single backslash (not an escaped one) has no line end."""
    n = len(line) - len(line.rstrip("\\"))
    return n % 2 == 1


def request_bytes(lines: list[str]) -> bytes:
    blank = lines.index("") if "" in lines else None
    out = b""
    for i, line in enumerate(lines):
        cut = _cut(line)
        out += unescape(line[:-1] if cut else line)
        last_of_body = blank is not None and i > blank and i == len(lines) - 1
        if not cut and not last_of_body:
            out += b"\r\n"
    if blank is None and lines and not _cut(lines[-1]):
        out += b"\r\n"
    return out


@dataclass
class FieldCheck:
    kind: str  # equals, contains, present, absent
    name: str
    value: str = ""


@dataclass
class Expected:
    line: int
    status_line: str  # empty: "no response"
    fields: list[FieldCheck] = field(default_factory=list)
    body: bytes | None = None
    body_contains: list[bytes] = field(default_factory=list)
    then: str | None = None


@dataclass
class Case:
    file: str
    line: int
    heading: str
    config: str
    input: str = ""  # latin-1 text of the bytes, {{etag:...}} unresolved
    methods: list[str] = field(default_factory=list)
    responses: list[Expected] = field(default_factory=list)
    after: str = "open"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.heading}"


def _parse_response(lines: list[str], file: str, first: int) -> Expected:
    if not lines or not (lines[0].startswith("HTTP/") or lines[0] == "no response"):
        raise SpecError(f"{file}:{first}: a response block starts with its status line")
    r = Expected(first, "" if lines[0] == "no response" else lines[0])
    for i, raw in enumerate(lines[1:], start=1):
        at = first + 1 + i
        line = raw.strip(" \t")
        if not line:
            continue
        if line.startswith("body: "):
            r.body = unescape(line[6:])
        elif line == "body:":
            r.body = b""
        elif line.startswith("body contains "):
            r.body_contains.append(unescape(line[14:]))
        elif line.startswith("then "):
            r.then = line[5:].strip()
            if r.then not in ("open", "closed", "waiting"):
                raise SpecError(f"{file}:{at}: 'then' takes open, closed or waiting")
        elif line.startswith("has "):
            r.fields.append(FieldCheck("present", line[4:].strip()))
        elif line.startswith("no "):
            r.fields.append(FieldCheck("absent", line[3:].strip()))
        elif ":" in line and (" " not in line or line.index(" ") > line.index(":")):
            name, _, value = line.partition(":")
            r.fields.append(FieldCheck("equals", name, value.strip(" \t")))
        elif " contains " in line:
            name, _, value = line.partition(" contains ")
            r.fields.append(FieldCheck("contains", name, value.strip(" \t")))
        else:
            raise SpecError(f"{file}:{at}: not an expectation: {line}")
    return r


def read_spec_file(path: Path) -> list[Case]:
    name = path.relative_to(SPEC_DIR).as_posix()
    lines = path.read_text(encoding="utf-8").split("\n")
    config, cases, current, i = "default.toml", [], None, 0

    def finish():
        if current is None:
            return
        if not current.methods or not current.responses:
            raise SpecError(f"{name}:{current.line}: a case needs an http block and a response block")
        if current.responses[-1].then:
            current.after = current.responses[-1].then
        cases.append(current)

    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if line.startswith("<!-- config: "):
            config = line[13 : line.index("-->")].strip()
        elif line.startswith("## "):
            finish()
            current = Case(name, i, line[3:].strip(), config)
        elif line.startswith("```http") or line.startswith("```response"):
            opened, block = i, []
            while i < len(lines) and lines[i].rstrip("\r") != "```":
                block.append(lines[i].rstrip("\r"))
                i += 1
            if i == len(lines):
                raise SpecError(f"{name}:{opened}: a block that is never closed")
            i += 1
            if current is None:
                raise SpecError(f"{name}:{opened}: a block before the first '## ' case")
            if line.startswith("```http"):
                if not block:
                    raise SpecError(f"{name}:{opened}: an empty http block")
                current.input += request_bytes(block).decode("latin-1")
                current.methods.append(block[0].split(" ", 1)[0])
            else:
                current.responses.append(_parse_response(block, name, opened))
    finish()
    return cases


def read_spec_tree(root: Path = SPEC_DIR) -> list[Case]:
    # The docroot and the configuration hold files, not cases (site/notes.md is served).
    files = sorted(
        p
        for p in root.rglob("*.md")
        if p.name not in NOT_CASES and p.relative_to(root).parts[0] not in NOT_CASE_DIRS
    )
    return [c for f in files for c in read_spec_file(f)]


def find_placeholder(text: str):
    return _PLACEHOLDER.search(text)


def copy_spec_tree(base: Path) -> Path:
    """The spec ring's site and configurations under base, every docroot file with one fixed
    modification time (so that Last-Modified and ETags are the cases' own)."""
    for part in ("site", "config"):
        shutil.copytree(SPEC_DIR / part, base / part, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(base / "site"):
        for n in dirnames + filenames:
            os.utime(Path(dirpath) / n, (FIXED_MTIME, FIXED_MTIME), follow_symlinks=False)
    return base


def resolve_placeholders(port: int, text: str) -> str:
    """{{etag:/path}}: the ETag a GET of that path on spec.test gets now from the server on
    port (over HTTP/1.1)."""
    while m := find_placeholder(text):
        res = exchange(port, f"GET {m.group(1)} HTTP/1.1\r\nHost: spec.test\r\n\r\n")
        tag = res.header("ETag")
        assert tag, f"no ETag for {m.group(1)}: {res!r}"
        text = text[: m.start()] + tag + text[m.end() :]
    return text
