"""On-the-fly compression (gzip, br, zstd): off unless `--compress` or a site's [compression]
table; then text responses are coded for clients that ask, each coding with its own ETag, while
ranges, small bodies, other types and precompressed siblings are left as they are."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import brotli
import pytest
import zstandard

from conftest import TEAPOT_BIN, css, require, run_cli
from wire import exchange, request

DECODE = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data),
}



FILES = {
    "big.css": css(40_000),  # above the file cache's 16 KiB: served from a descriptor
    "large.css": css(300_000),  # above 64 KiB: read and coded on the blocking-work pool
    "page.html": b"<!doctype html><title>t</title>\n" + css(5_000),  # in the file cache
    "small.txt": b"short text, under min_length\n",
    "exact.txt": css(1024),  # exactly min_length
    "data.json": b'{"items": [' + b", ".join(b'{"n": %d}' % i for i in range(400)) + b"]}\n",
    "image.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
    "huge.txt": css(1_100_000),  # above max_file_size
    "with-sibling.css": css(8_000),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "zroot"
    root.mkdir()
    for name, content in FILES.items():
        (root / name).write_bytes(content)
    # A precompressed sibling with content of its own, so that its bytes can be told apart.
    (root / "with-sibling.css.gz").write_bytes(gzip.compress(b"/* the precompressed one */\n"))
    return root


def get(port: int, target: str, headers=(), method: str = "GET"):
    return exchange(port, request(method, target, headers=list(headers)), head=method == "HEAD")


def varies_on_accept_encoding(r) -> bool:
    return r.has_token("Vary", "Accept-Encoding")


@pytest.fixture
def compressing(serve, root):
    return serve("--compress", root=root)


def test_compression_is_off_by_default(serve, root):
    srv = serve(root=root)
    r = get(srv.port, "/big.css", [("Accept-Encoding", "gzip, br, zstd")])
    assert r.status == 200
    assert r.header("Content-Encoding") is None
    assert not varies_on_accept_encoding(r)
    assert r.body == FILES["big.css"]


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
@pytest.mark.parametrize("name", ["big.css", "large.css", "page.html", "data.json", "exact.txt"])
def test_each_coding_decodes_to_the_file(compressing, coding, name):
    r = get(compressing.port, f"/{name}", [("Accept-Encoding", coding)])
    assert r.status == 200
    assert r.header("Content-Encoding") == coding
    assert varies_on_accept_encoding(r)
    assert int(r.header("Content-Length")) == len(r.body)
    assert r.header("Accept-Ranges") is None
    assert DECODE[coding](r.body) == FILES[name]
    assert len(r.body) < len(FILES[name])


def test_a_browser_list_gets_the_servers_first_choice_zstd(compressing):
    r = get(compressing.port, "/big.css", [("Accept-Encoding", "gzip, deflate, br, zstd")])
    assert r.header("Content-Encoding") == "zstd"
    r = get(compressing.port, "/big.css", [("Accept-Encoding", "gzip, deflate, br")])
    assert r.header("Content-Encoding") == "br"


def test_q_values_and_identity_rank_the_codings(compressing):
    port = compressing.port
    assert get(port, "/big.css", [("Accept-Encoding", "zstd;q=0.2, gzip;q=0.9")]).header(
        "Content-Encoding"
    ) == "gzip"
    r = get(port, "/big.css", [("Accept-Encoding", "gzip;q=0.5, identity")])
    assert r.header("Content-Encoding") is None and r.body == FILES["big.css"]
    assert varies_on_accept_encoding(r)
    r = get(port, "/big.css", [("Accept-Encoding", "gzip;q=0, deflate")])
    assert r.header("Content-Encoding") is None and r.body == FILES["big.css"]


def test_curl_compressed_gets_the_file(compressing):
    for name in ("big.css", "data.json"):
        p = subprocess.run(
            ["curl", "-sS", "--compressed", f"http://127.0.0.1:{compressing.port}/{name}"],
            capture_output=True,
            timeout=20,
        )
        assert p.returncode == 0, p.stderr
        assert p.stdout == FILES[name]


def test_a_body_under_min_length_is_sent_identity_without_vary(compressing):
    r = get(compressing.port, "/small.txt", [("Accept-Encoding", "gzip")])
    assert r.header("Content-Encoding") is None
    assert not varies_on_accept_encoding(r)
    assert r.body == FILES["small.txt"]


def test_a_type_not_listed_is_sent_identity_without_vary(compressing):
    r = get(compressing.port, "/image.png", [("Accept-Encoding", "gzip")])
    assert r.header("Content-Type") == "image/png"
    assert r.header("Content-Encoding") is None
    assert not varies_on_accept_encoding(r)
    assert r.body == FILES["image.png"]


def test_a_file_above_max_file_size_is_sent_identity(compressing):
    r = get(compressing.port, "/huge.txt", [("Accept-Encoding", "gzip")])
    assert r.header("Content-Encoding") is None
    assert r.body == FILES["huge.txt"]


def test_an_eligible_response_varies_even_when_sent_identity(compressing):
    r = get(compressing.port, "/big.css")
    assert r.status == 200
    assert r.header("Content-Encoding") is None
    assert varies_on_accept_encoding(r)
    assert r.header("Accept-Ranges") == "bytes"


def test_each_coding_has_its_own_etag_derived_from_the_identity_one(compressing):
    port = compressing.port
    identity = get(port, "/big.css").header("ETag")
    assert identity.startswith('"') and identity.endswith('"')
    tags = {c: get(port, "/big.css", [("Accept-Encoding", c)]).header("ETag") for c in DECODE}
    assert tags == {
        "gzip": identity[:-1] + '-gz"',
        "br": identity[:-1] + '-br"',
        "zstd": identity[:-1] + '-zst"',
    }


def test_if_none_match_gets_304_for_the_coded_tag_and_not_for_the_identity_one(compressing):
    port = compressing.port
    gz = [("Accept-Encoding", "gzip")]
    coded = get(port, "/big.css", gz).header("ETag")
    identity = get(port, "/big.css").header("ETag")
    r = get(port, "/big.css", gz + [("If-None-Match", coded)])
    assert r.status == 304
    assert r.header("ETag") == coded
    assert varies_on_accept_encoding(r)
    assert r.body == b""
    # RFC 9110 §13.1.2: the tag must match the representation that would be selected.
    r = get(port, "/big.css", gz + [("If-None-Match", identity)])
    assert r.status == 200 and r.header("Content-Encoding") == "gzip"
    r = get(port, "/big.css", [("If-None-Match", coded)])
    assert r.status == 200 and r.header("Content-Encoding") is None
    r = get(port, "/big.css", [("If-None-Match", identity)])
    assert r.status == 304
    # A list naming both matches whichever is selected (a cache holding both copies).
    r = get(port, "/big.css", gz + [("If-None-Match", f"{identity}, {coded}")])
    assert r.status == 304 and r.header("ETag") == coded


def test_if_match_compares_the_coded_tag(compressing):
    port = compressing.port
    gz = [("Accept-Encoding", "gzip")]
    coded = get(port, "/big.css", gz).header("ETag")
    identity = get(port, "/big.css").header("ETag")
    assert get(port, "/big.css", gz + [("If-Match", coded)]).status == 200
    assert get(port, "/big.css", gz + [("If-Match", identity)]).status == 412


def test_a_range_request_gets_identity_bytes_exactly(compressing):
    port = compressing.port
    data = FILES["big.css"]
    r = get(port, "/big.css", [("Accept-Encoding", "gzip, br, zstd"), ("Range", "bytes=100-1099")])
    assert r.status == 206
    assert r.header("Content-Encoding") is None
    assert r.header("Content-Range") == f"bytes 100-1099/{len(data)}"
    assert r.body == data[100:1100]
    identity = get(port, "/big.css").header("ETag")
    assert r.header("ETag") == identity
    # If-Range with the identity tag resumes; with a coded tag the whole file comes back.
    r = get(
        port,
        "/big.css",
        [("Accept-Encoding", "gzip"), ("Range", "bytes=-10"), ("If-Range", identity)],
    )
    assert r.status == 206 and r.body == data[-10:]
    coded = get(port, "/big.css", [("Accept-Encoding", "gzip")]).header("ETag")
    r = get(
        port, "/big.css", [("Accept-Encoding", "gzip"), ("Range", "bytes=-10"), ("If-Range", coded)]
    )
    assert r.status == 200 and r.header("Content-Encoding") is None and r.body == data


def test_a_precompressed_sibling_wins_over_compressing_on_the_fly(compressing, root):
    sibling = (root / "with-sibling.css.gz").read_bytes()
    for accept in ("gzip", "zstd, br, gzip"):
        r = get(compressing.port, "/with-sibling.css", [("Accept-Encoding", accept)])
        assert r.header("Content-Encoding") == "gzip", accept
        assert r.body == sibling
    # A coding it has no sibling for, and identity refused: on the fly after all.
    r = get(compressing.port, "/with-sibling.css", [("Accept-Encoding", "br, identity;q=0")])
    assert r.header("Content-Encoding") == "br"
    assert brotli.decompress(r.body) == FILES["with-sibling.css"]
    assert r.header_all("Vary") == ["Accept-Encoding"]


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd", None])
def test_head_has_the_headers_of_get_without_the_body(compressing, coding):
    headers = [("Accept-Encoding", coding)] if coding else []
    got = get(compressing.port, "/big.css", headers)
    head = get(compressing.port, "/big.css", headers, method="HEAD")
    assert head.status == 200 and head.body == b""

    def fields(r):
        return sorted((n.lower(), v) for n, v in r.headers if n.lower() != "date")

    assert fields(head) == fields(got)


def test_repeated_requests_get_the_same_bytes_from_every_worker(serve, root):
    srv = serve("--compress", "--workers", "2", root=root)
    bodies = {get(srv.port, "/big.css", [("Accept-Encoding", "br")]).body for _ in range(12)}
    assert len(bodies) == 1
    assert brotli.decompress(bodies.pop()) == FILES["big.css"]


def test_a_changed_file_is_compressed_again(compressing, root):
    gz = [("Accept-Encoding", "gzip")]
    first = get(compressing.port, "/big.css", gz)
    changed = css(30_000).replace(b"color", b"COLOR")
    (root / "big.css").write_bytes(changed)
    second = get(compressing.port, "/big.css", gz)
    assert second.header("ETag") != first.header("ETag")
    assert gzip.decompress(second.body) == changed


def test_a_file_coded_on_the_pool_has_the_same_tags_heads_and_bytes_as_one_coded_inline(
    compressing, root
):
    port = compressing.port
    br = [("Accept-Encoding", "br")]
    identity = get(port, "/large.css").header("ETag")
    first = get(port, "/large.css", br)
    assert first.status == 200 and first.header("ETag") == identity[:-1] + '-br"', first
    assert brotli.decompress(first.body) == FILES["large.css"]
    # Coded once per version: the worker's cache gives the same bytes again.
    again = [get(port, "/large.css", br) for _ in range(3)]
    assert all(r.body == first.body and r.header("ETag") == first.header("ETag") for r in again)
    head = get(port, "/large.css", br, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == str(len(first.body))
    assert head.header("Content-Encoding") == "br"
    r = get(port, "/large.css", br + [("If-None-Match", first.header("ETag"))])
    assert r.status == 304 and r.body == b"", r
    changed = css(200_000).replace(b"color", b"COLOR")
    (root / "large.css").write_bytes(changed)
    second = get(port, "/large.css", br)
    assert second.header("ETag") != first.header("ETag")
    assert brotli.decompress(second.body) == changed


# -- the configuration file ----------------------------------------------------------------


def config_server(start_server, tmp_path: Path, root: Path, compression: str):
    require(TEAPOT_BIN, "teapot")
    config = tmp_path / "teapot.toml"
    config.write_text(
        '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 1\n\n'
        f'[[sites]]\ndefault = true\nroot = "{root}"\n\n'
        "[[sites.rules]]\n"
        'exact = "/generated"\nkind = "return"\nstatus = 200\n'
        f'body = "{"generated text. " * 100}"\n\n'
        + compression
    )
    return start_server([TEAPOT_BIN, "serve", "--config", config], "teapot")


def test_a_site_table_sets_codings_min_length_and_levels(start_server, tmp_path, root):
    srv = config_server(
        start_server,
        tmp_path,
        root,
        "[sites.compression]\n"
        'codings = ["gzip"]\nmin_length = 16\ntypes = ["text/plain"]\n'
        "[sites.compression.levels]\ngzip = 1\n",
    )
    r = get(srv.port, "/small.txt", [("Accept-Encoding", "zstd, br, gzip")])
    assert r.header("Content-Encoding") == "gzip"
    assert gzip.decompress(r.body) == FILES["small.txt"]
    r = get(srv.port, "/big.css", [("Accept-Encoding", "gzip")])  # text/css is not listed now
    assert r.header("Content-Encoding") is None
    r = get(srv.port, "/small.txt", [("Accept-Encoding", "zstd, br")])
    assert r.header("Content-Encoding") is None


def test_a_response_no_handler_file_backs_is_compressed_too(start_server, tmp_path, root):
    srv = config_server(start_server, tmp_path, root, "[sites.compression]\n")
    r = get(srv.port, "/generated", [("Accept-Encoding", "gzip")])
    assert r.status == 200
    assert r.header("Content-Encoding") == "gzip"
    assert gzip.decompress(r.body) == b"generated text. " * 100


def test_enabled_false_keeps_the_settings_but_compresses_nothing(start_server, tmp_path, root):
    srv = config_server(start_server, tmp_path, root, "[sites.compression]\nenabled = false\n")
    r = get(srv.port, "/big.css", [("Accept-Encoding", "gzip")])
    assert r.header("Content-Encoding") is None
    assert not varies_on_accept_encoding(r)


@pytest.mark.parametrize(
    "table,line,column,message",
    [
        (
            '[sites.compression]\ncodings = ["gzip", "deflate"]\n',
            2,
            20,
            "sites[0].compression.codings[1]: 'deflate' is not a coding teapot compresses with; "
            'expected "zstd", "br" or "gzip"',
        ),
        ('[sites.compression]\nlevel = 3\n', 2, 1, None),
        ("[sites.compression.levels]\ngzip = 10\n", 2, 8, None),
        ('[sites.compression]\ntypes = ["text"]\n', 2, 10, None),
    ],
)
def test_check_rejects_a_bad_compression_table_at_its_position(
    tmp_path, table, line, column, message
):
    config = tmp_path / "teapot.toml"
    config.write_text(f'[[sites]]\ndefault = true\nroot = "{tmp_path}"\n' + table)
    p = run_cli("check", str(config))
    assert p.returncode == 2, p.stdout
    lines = p.stderr.decode().splitlines()
    prefix = f"{config}:{line + 3}:{column}: "
    assert len(lines) == 1 and lines[0].startswith(prefix), lines
    if message is not None:
        assert lines[0] == prefix + message
