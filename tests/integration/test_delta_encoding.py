"""Delta encoding (RFC 3229): 226 IM Used with the ed script from the version the client holds
to the file as it is now (applied here by the real ed), or the file gzip-compressed; the whole
file whenever the base is unknown or a delta would not pay; 304, 412 and ranges as without it.
Over h1, h2c and h2.
"""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, check_refusal
from transports import fetch

MAX_FILE = 4096

# Thirty lines of a log that grows: the kind of file a delta pays for.
V1 = b"".join(b"entry %02d: the kettle is on\n" % i for i in range(30))
V2 = V1.replace(b"entry 05: the kettle is on\n", b"entry 05: the kettle boiled\n") + (
    b"entry 30: tea is served\n"
)


def replace(path: Path, content: bytes, mtime_ns: int) -> None:
    """A new version of the file, as an editor saves it: another inode, renamed into place,
    with a modification time of its own (so that its entity-tag differs whatever the clock)."""
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(content)
    os.utime(tmp, ns=(mtime_ns, mtime_ns))
    tmp.rename(path)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "notes").mkdir(parents=True)
    (root / "other").mkdir()
    replace(root / "notes/log.txt", V1, 1_000_000_000_000_000_001)
    replace(root / "other/log.txt", V1, 1_000_000_000_000_000_001)
    return root


@pytest.fixture
def server(start_server, site, tmp_path, transport):
    config = tmp_path / "delta.toml"
    text, tls_port = transport.configure(
        '[server]\nlisten = ["127.0.0.1:1"]\n[[sites]]\ndefault = true\n'
        f'root = "{site}"\n[sites.delta_encoding]\nprefixes = ["/notes/"]\nversions = 3\n'
        f"max_file_size = {MAX_FILE}\n")
    config.write_text(text)
    return transport.attach(start_server([TEAPOT_BIN, "serve", "--config", config], "delta"),
                            tls_port)


def get(srv, target: str, headers: list[tuple[str, str]] | None = None, method: str = "GET"):
    return fetch(srv, method, target, headers=headers or [])


def held(srv, target: str) -> str:
    """Fetches the file as a delta-capable client does (which keeps the server's copy of this
    version); returns its entity-tag."""
    r = get(srv, target, [("A-IM", "diffe")])
    assert r.status == 200, r
    assert r.header("im") is None
    return r.header("etag")


def ed_applies(tmp_path: Path, old: bytes, script: bytes) -> bytes:
    text = tmp_path / "applied.txt"
    text.write_bytes(old)
    subprocess.run(["ed", "-s", str(text)], input=script + b"w\nq\n", check=True,
                   capture_output=True)
    return text.read_bytes()


def test_a_changed_file_comes_as_the_ed_script_from_the_version_the_client_holds(
        server, site, tmp_path):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    current = get(server, "/notes/log.txt").header("etag")
    assert current != old_tag
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", old_tag)])
    assert r.status == 226, r
    if r.reason is not None:
        assert r.reason == "IM Used"
    assert r.header("im") == "diffe"
    assert r.header("delta-base") == old_tag
    assert r.header("etag") == current
    assert r.header("cache-control") == "no-store, im"
    assert r.header("content-type") == "text/plain; charset=utf-8"
    assert r.header("accept-ranges") is None
    assert int(r.header("content-length") or len(r.body)) == len(r.body) < len(V2)
    assert ed_applies(tmp_path, V1, r.body) == V2


def test_the_script_is_the_one_diff_e_writes(server, site, tmp_path):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", old_tag)])
    assert r.status == 226, r
    (tmp_path / "v1").write_bytes(V1)
    (tmp_path / "v2").write_bytes(V2)
    diff = subprocess.run(["diff", "-e", str(tmp_path / "v1"), str(tmp_path / "v2")],
                          capture_output=True, check=False)
    assert diff.returncode == 1  # the files differ
    assert r.body == diff.stdout


def test_an_unknown_base_gets_the_whole_file(server, site):
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", '"never-served"')])
    assert r.status == 200, r
    assert r.body == V2
    assert r.header("im") is None and r.header("delta-base") is None


def test_a_delta_no_shorter_than_the_file_is_not_sent(server, site):
    replace(site / "notes/log.txt", b"a\n", 1_000_000_000_000_000_002)
    old_tag = held(server, "/notes/log.txt")
    # "1c\nb\n.\n" is longer than the two bytes it stands for.
    replace(site / "notes/log.txt", b"b\n", 1_000_000_000_000_000_003)
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", old_tag)])
    assert r.status == 200, r
    assert r.body == b"b\n"
    assert r.header("im") is None


def test_the_current_version_is_not_modified(server):
    tag = held(server, "/notes/log.txt")
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", tag)])
    assert r.status == 304, r
    assert r.body == b""
    assert r.header("im") is None


def test_a_failed_if_match_is_412_before_any_delta(server, site):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt",
            [("A-IM", "diffe"), ("If-None-Match", old_tag), ("If-Match", '"other"')])
    assert r.status == 412, r


def test_gzip_sends_the_file_compressed_as_226(server):
    r = get(server, "/notes/log.txt", [("A-IM", "gzip")])
    assert r.status == 226, r
    assert r.header("im") == "gzip"
    assert r.header("delta-base") is None
    assert r.header("content-encoding") is None  # an instance-manipulation, no content-coding
    assert gzip.decompress(r.body) == V1


def test_diffe_then_gzip_in_the_order_applied(server, site, tmp_path):
    old_tag = held(server, "/notes/log.txt")
    grown = V1 + b"".join(b"entry %02d: the kettle is on\n" % i for i in range(30, 60))
    replace(site / "notes/log.txt", grown, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt", [("A-IM", "diffe, gzip"), ("If-None-Match", old_tag)])
    assert r.status == 226, r
    assert r.header("im") == "diffe, gzip"
    assert r.header("delta-base") == old_tag
    assert ed_applies(tmp_path, V1, gzip.decompress(r.body)) == grown


def test_a_manipulation_weighed_zero_is_not_applied(server, site):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt",
            [("A-IM", "diffe;q=0, gzip;q=0"), ("If-None-Match", old_tag)])
    assert r.status == 200, r
    assert r.body == V2


def test_no_transform_from_the_client_gets_the_whole_file(server, site):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", old_tag),
                                       ("Cache-Control", "no-transform")])
    assert r.status == 200, r
    assert r.body == V2


def test_a_range_is_served_from_the_file_not_the_delta(server, site):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt",
            [("A-IM", "diffe"), ("If-None-Match", old_tag), ("Range", "bytes=0-9")])
    assert r.status == 206, r
    assert r.body == V2[:10]
    assert r.header("im") is None


def test_head_is_answered_as_without_delta_encoding(server, site):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", old_tag)],
            method="HEAD")
    assert r.status == 200, r
    assert r.header("content-length") == str(len(V2))
    assert r.header("im") is None


def test_outside_the_prefixes_no_version_is_kept(server, site):
    old_tag = held(server, "/other/log.txt")
    replace(site / "other/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/other/log.txt", [("A-IM", "diffe, gzip"), ("If-None-Match", old_tag)])
    assert r.status == 200, r
    assert r.body == V2


@pytest.mark.parametrize("size, status", [(MAX_FILE, 226), (MAX_FILE + 1, 200)])
def test_max_file_size_at_the_limit_and_one_byte_past(server, site, size, status):
    line = b"x" * 63 + b"\n"
    body = (line * (size // 64 + 1))[:size - 1] + b"\n"
    assert len(body) == size
    replace(site / "notes/big.txt", body, 1_000_000_000_000_000_001)
    old_tag = held(server, "/notes/big.txt")
    changed = b"changed\n" + body[8:]
    replace(site / "notes/big.txt", changed, 1_000_000_000_000_000_002)
    r = get(server, "/notes/big.txt", [("A-IM", "diffe"), ("If-None-Match", old_tag)])
    assert r.status == status, r
    if status == 200:
        assert r.body == changed


def test_the_oldest_version_goes_past_versions(server, site):
    tags = [held(server, "/notes/log.txt")]
    for n in range(2, 5):  # versions = 3: the fourth pushes the first out
        replace(site / "notes/log.txt", V1 + b"version %d\n" % n, 1_000_000_000_000_000_000 + n)
        tags.append(held(server, "/notes/log.txt"))
    first = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", tags[0])])
    assert first.status == 200, first
    second = get(server, "/notes/log.txt", [("A-IM", "diffe"), ("If-None-Match", tags[1])])
    assert second.status == 226, second
    assert second.body == b"31c\nversion 4\n.\n"


def test_versions_are_kept_per_target_query_included(server, site, tmp_path):
    # A strong tag names bytes within one resource: another query is another resource.
    old_tag = held(server, "/notes/log.txt?feed=a")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    other = get(server, "/notes/log.txt?feed=b", [("A-IM", "diffe"), ("If-None-Match", old_tag)])
    assert other.status == 200, other
    assert other.body == V2
    same = get(server, "/notes/log.txt?feed=a", [("A-IM", "diffe"), ("If-None-Match", old_tag)])
    assert same.status == 226, same
    assert ed_applies(tmp_path, V1, same.body) == V2


def test_of_several_listed_tags_the_first_kept_is_the_base(server, site, tmp_path):
    old_tag = held(server, "/notes/log.txt")
    replace(site / "notes/log.txt", V2, 1_000_000_000_000_000_002)
    r = get(server, "/notes/log.txt",
            [("A-IM", "diffe"), ("If-None-Match", f'W/"weak", "unknown", {old_tag}')])
    assert r.status == 226, r
    assert r.header("delta-base") == old_tag
    assert ed_applies(tmp_path, V1, r.body) == V2


@pytest.mark.parametrize(
    "table, message",
    [
        ('prefixes = ["notes/"]', "'notes/' is no path prefix: it must start with '/'"),
        ("prefixes = []", "names no path prefix: delta encoding would apply nowhere"),
        ('prefixes = ["/n/"]\nversions = 1', None),
        ('prefixes = ["/n/"]\nmax_file_size = "2MiB"\nmax_store_size = "1MiB"',
         "is smaller than max_file_size: the largest file could not be kept"),
    ],
)
def test_check_rejects_a_bad_delta_encoding_table(tmp_path, table, message):
    line = check_refusal(tmp_path, f'[[sites]]\ndefault = true\nroot = "{tmp_path}"\n'
                         f"[sites.delta_encoding]\n{table}\n")
    assert "sites[0].delta_encoding." in line, line
    if message is not None:
        assert line.endswith(message), line
