"""`teapot serve DIR` as a description of files (RFC 9110): validators, hidden paths, OPTIONS,
nosniff, directory listings, content types, Cache-Control and precompressed siblings — each
provoked from outside over a real socket, over HTTP/1.1, h2c and h2 (transports.py). The tests
of a flag that has no configuration key (--allow-dotfiles, --follow-symlinks-outside-root,
--no-nosniff, --charset, --no-precompressed) stay on HTTP/1.1: `teapot serve DIR` cannot listen
for h2c or TLS, and the file that can has no way to say them."""

from __future__ import annotations

import email.utils
import json
import os
import re
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, run_cli
from transports import fetch


def get(srv, target: str, headers: list[tuple[str, str]] | None = None, method="GET"):
    return fetch(srv, method, target, headers=headers)


def tokens(value: str | None) -> set[str]:
    return {t.strip() for t in (value or "").split(",") if t.strip()}


@pytest.fixture
def site(tmp_path) -> Path:
    """A docroot with hidden names, a listing-only directory and precompressed siblings."""
    root = tmp_path / "sem"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "inner.txt").write_bytes(b"inside\n")
    (root / "plain.txt").write_bytes(b"plain text\n")
    (root / ".env").write_bytes(b"SECRET=1\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_bytes(b"[core]\n")
    (root / "sub" / ".hidden").write_bytes(b"hidden\n")
    (root / ".well-known").mkdir()
    (root / ".well-known" / "security.txt").write_bytes(b"Contact: mailto:a@example.org\n")
    (root / "notes.md").write_bytes(b"# notes\n")
    (root / "app.css").write_bytes(b"body { color: red; }\n" * 10)
    (root / "app.css.br").write_bytes(b"BROTLI-BYTES")
    (root / "app.css.zst").write_bytes(b"ZSTD-BYTES")
    (root / "app.css.gz").write_bytes(b"GZIP-BYTES")
    (root / "only.js").write_bytes(b"console.log(1);\n")
    (root / "only.js.gz").write_bytes(b"GZ-ONLY")
    (root / "assets").mkdir()
    (root / "assets" / "logo.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    list_dir = root / "list"
    list_dir.mkdir()
    (list_dir / "<b>&.txt").write_bytes(b"x" * 5)
    (list_dir / "big.bin").write_bytes(b"y" * 300)
    (list_dir / "mid.txt").write_bytes(b"z" * 40)
    (list_dir / "zdir").mkdir()
    (list_dir / ".secret").write_bytes(b"no")
    # Distinct modification times, in an order unlike both name and size order.
    for i, name in enumerate(["mid.txt", "<b>&.txt", "big.bin"]):
        os.utime(list_dir / name, (1_600_000_000 + i * 1000, 1_600_000_000 + i * 1000))
    return root


# -- validators (RFC 9110 §8.8) -----------------------------------------------------------


def test_a_file_has_a_strong_etag_and_last_modified_equal_to_its_mtime(serve, site, transport):
    srv = serve(root=site, transport=transport)
    path = site / "plain.txt"
    os.utime(path, (1_700_000_000, 1_700_000_000))
    res = get(srv, "/plain.txt")
    assert res.status == 200, res
    etag = res.header("ETag")
    assert etag and re.fullmatch(r'"[\x21\x23-\x7e]+"', etag), res  # strong: no W/
    assert res.header("Last-Modified") == email.utils.formatdate(1_700_000_000, usegmt=True)


def test_the_etag_is_the_same_from_the_cache_and_across_a_restart(serve, site, transport):
    first = serve(root=site, transport=transport)
    tags = [get(first, "/plain.txt").header("ETag") for _ in range(3)]
    second = serve(root=site, transport=transport)
    tags.append(get(second, "/plain.txt").header("ETag"))
    assert tags[0] and len(set(tags)) == 1, tags


def test_the_etag_changes_when_the_file_changes_even_with_the_same_size(serve, site, transport):
    srv = serve(root=site, transport=transport)
    path = site / "plain.txt"
    before = get(srv, "/plain.txt")
    stamp = path.stat().st_mtime_ns
    path.write_bytes(b"PLAIN TEXT\n")  # same length
    os.utime(path, ns=(stamp + 1000, stamp + 1000))  # a new time even on a coarse clock
    after = get(srv, "/plain.txt")
    assert after.body == b"PLAIN TEXT\n", after
    assert before.header("ETag") != after.header("ETag"), (before, after)


def test_an_index_file_has_validators_too(serve, site, transport):
    (site / "sub" / "index.html").write_bytes(b"<p>index\n")
    srv = serve(root=site, transport=transport)
    res = get(srv, "/sub/")
    assert res.status == 200 and res.body == b"<p>index\n", res
    assert res.header("ETag") and res.header("Last-Modified"), res


# -- hidden and denied paths ----------------------------------------------------------------


@pytest.mark.parametrize("target", ["/.env", "/.git/config", "/.git/", "/sub/.hidden", "/.nope"])
def test_a_path_with_a_dot_segment_gets_403_whether_it_exists_or_not(
    serve, site, target, transport
):
    res = get(serve(root=site, transport=transport), target)
    assert res.status == 403, res
    assert b"SECRET" not in res.body and b"[core]" not in res.body


def test_well_known_is_served_although_it_starts_with_a_dot(serve, site, transport):
    res = get(serve(root=site, transport=transport), "/.well-known/security.txt")
    assert res.status == 200, res
    assert res.body.startswith(b"Contact:")


def test_allow_dotfiles_serves_hidden_names(serve, site):
    res = get(serve("--allow-dotfiles", root=site), "/.env")
    assert res.status == 200 and res.body == b"SECRET=1\n", res


def test_a_symlink_out_of_the_root_is_403_unless_following_is_configured(serve, docroot):
    assert get(serve(), "/escape.txt").status == 403
    res = get(serve("--follow-symlinks-outside-root"), "/escape.txt")
    assert res.status == 200 and res.body == b"OUTSIDE-THE-ROOT\n", res


# -- OPTIONS and 405 (RFC 9110 §9.3.7, §15.5.6) ----------------------------------------------


@pytest.mark.parametrize("target", ["/plain.txt", "/sub/", "/"])
def test_options_on_a_file_or_directory_gives_204_with_allow(serve, site, target, transport):
    res = get(serve(root=site, transport=transport), target, method="OPTIONS")
    assert res.status == 204, res
    assert tokens(res.header("Allow")) == {"GET", "HEAD", "OPTIONS"}, res
    assert res.header("Content-Length") is None and res.body == b"", res


def test_options_on_a_missing_file_gives_404_and_on_a_dotfile_403(serve, site, transport):
    srv = serve(root=site, transport=transport)
    assert get(srv, "/missing.txt", method="OPTIONS").status == 404
    assert get(srv, "/.env", method="OPTIONS").status == 403


@pytest.mark.parametrize("method", ["DELETE", "TRACE"])
def test_a_method_without_a_route_gives_405_whose_allow_lists_options(
    serve, site, method, transport
):
    res = get(serve(root=site, transport=transport), "/plain.txt", method=method)
    assert res.status == 405, res
    assert tokens(res.header("Allow")) == {"GET", "HEAD", "OPTIONS"}, res


# -- nosniff ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target,method,status",
    [
        ("/plain.txt", "GET", 200),
        ("/plain.txt", "HEAD", 200),
        ("/missing", "GET", 404),
        ("/.env", "GET", 403),
        ("/sub", "GET", 301),
        ("/sub/", "OPTIONS", 204),
    ],
)
def test_every_response_of_the_handler_says_nosniff(serve, site, target, method, status, transport):
    res = get(serve(root=site, transport=transport), target, method=method)
    assert res.status == status, res
    assert res.header("X-Content-Type-Options") == "nosniff", res


def test_no_nosniff_turns_it_off(serve, site):
    res = get(serve("--no-nosniff", root=site), "/plain.txt")
    assert res.status == 200 and res.header("X-Content-Type-Options") is None, res


# -- directory listings ---------------------------------------------------------------------


def test_a_directory_without_index_gets_403_when_listings_are_off(serve, site, transport):
    assert get(serve(root=site, transport=transport), "/list/").status == 403


def test_the_html_listing_escapes_names_encodes_links_and_hides_dotfiles(serve, site, transport):
    res = get(serve("--listing", root=site, transport=transport), "/list/")
    assert res.status == 200, res
    assert res.header("Content-Type").replace(" ", "").lower() == "text/html;charset=utf-8"
    assert "Accept" in tokens(res.header("Vary")), res
    body = res.body.decode()
    assert "&lt;b&gt;&amp;.txt" in body and "<b>" not in body, body
    assert 'href="%3Cb%3E%26.txt"' in body, body
    assert 'href="zdir/"' in body and 'href="../"' in body, body
    assert ".secret" not in body, body
    assert 'title="300 bytes">300 B<' in body, "sizes are shown, the exact count in the title"
    assert "2020-09-13" in body, "big.bin's modification date (1600002000) is shown"


def test_the_listing_reads_well_and_keeps_crawlers_off_its_sort_links(serve, site, transport):
    (site / "list" / "large.bin").write_bytes(b"z" * (3 * 1024 * 1024 + 200_000))
    srv = serve("--listing", root=site, transport=transport)
    body = get(srv, "/list/?sort=size&order=desc").body.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    links = re.findall(r'<a [^>]*href="\?sort=[^"]*"', body)
    assert len(links) == 3 and all('rel="nofollow"' in a for a in links), links
    assert '<th aria-sort="descending">' in body and "Size \u25bc" in body, body
    assert 'title="3345728 bytes">3.2 MiB<' in body, body
    assert "<style>" in body and "http" not in body.split("<style>")[1].split("</style>")[0]


def test_the_listing_of_the_root_has_no_parent_link(serve, site, transport):
    res = get(serve("--listing", root=site, transport=transport), "/")
    assert res.status == 200 and 'href="../"' not in res.body.decode(), res


def listing_json(srv, query: str = "", accept: str = "application/json"):
    res = get(srv, "/list/" + query, headers=[("Accept", accept)])
    assert res.status == 200, res
    assert res.header("Content-Type").startswith("application/json"), res
    return res, json.loads(res.body)


def test_the_json_listing_is_chosen_by_accept_and_describes_every_entry(serve, site, transport):
    srv = serve("--listing", root=site, transport=transport)
    res, doc = listing_json(srv, accept="text/html;q=0.5, application/json")
    assert "Accept" in tokens(res.header("Vary")), res
    by_name = {e["name"]: e for e in doc["entries"]}
    assert set(by_name) == {"<b>&.txt", "big.bin", "mid.txt", "zdir"}, doc
    assert by_name["big.bin"] == {"name": "big.bin", "type": "file", "size": 300,
                                  "mtime": 1_600_002_000}
    assert by_name["zdir"]["type"] == "dir"
    html = get(srv, "/list/", headers=[("Accept", "text/html, application/json;q=0.9")])
    assert html.header("Content-Type").startswith("text/html"), html


@pytest.mark.parametrize(
    "query,order",
    [
        ("", ["zdir", "<b>&.txt", "big.bin", "mid.txt"]),
        ("?sort=name&order=desc", ["zdir", "mid.txt", "big.bin", "<b>&.txt"]),
        ("?sort=size&order=asc", ["zdir", "<b>&.txt", "mid.txt", "big.bin"]),
        ("?sort=size&order=desc", ["zdir", "big.bin", "mid.txt", "<b>&.txt"]),
        ("?sort=mtime&order=asc", ["zdir", "mid.txt", "<b>&.txt", "big.bin"]),
        ("?sort=mtime&order=desc", ["zdir", "big.bin", "<b>&.txt", "mid.txt"]),
    ],
)
def test_the_listing_sorts_by_the_query_with_directories_first(
    serve, site, query, order, transport
):
    srv = serve("--listing", root=site, transport=transport)
    _, doc = listing_json(srv, query)
    assert [e["name"] for e in doc["entries"]] == order, doc
    html = get(srv, "/list/" + query).body.decode()
    positions = [html.index(">" + n.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                 for n in order]
    assert positions == sorted(positions), "the HTML page has the same order"


# -- content types --------------------------------------------------------------------------


def test_mime_overrides_the_table_and_text_gets_a_charset(serve, site, transport):
    srv = serve("--mime", "md=text/markdown", "--mime", "css=text/x-custom; charset=latin1",
                root=site, transport=transport)
    assert get(srv, "/notes.md").header("Content-Type") == "text/markdown; charset=utf-8"
    assert get(srv, "/app.css").header("Content-Type") == "text/x-custom; charset=latin1"
    plain = get(srv, "/plain.txt").header("Content-Type")
    assert plain.replace(" ", "") == "text/plain;charset=utf-8", plain


def test_charset_names_the_charset_declared_for_text_types(serve, site):
    srv = serve("--charset", "iso-8859-1", root=site)
    assert get(srv, "/plain.txt").header("Content-Type") == "text/plain; charset=iso-8859-1"
    assert get(srv, "/assets/logo.svg").header("Content-Type").endswith("charset=iso-8859-1")
    bare = serve("--charset", "", root=site)
    assert get(bare, "/plain.txt").header("Content-Type") == "text/plain"


@pytest.mark.parametrize("flag,value", [("--mime", "md"), ("--cache-control", "*.css")])
def test_a_flag_without_key_and_value_is_refused_at_start(site, flag, value):
    p = run_cli("serve", str(site), "--listen", "127.0.0.1:0", flag, value)
    assert p.returncode != 0 and flag.encode() in p.stderr, p


# -- Cache-Control --------------------------------------------------------------------------


def test_cache_control_comes_from_the_first_matching_pattern(serve, site, transport):
    srv = serve("--cache-control", "/assets/=public, max-age=86400",
                "--cache-control", "*.css=max-age=60",
                "--cache-control", "*.svg=no-store", root=site, transport=transport)
    assert get(srv, "/assets/logo.svg").header("Cache-Control") == "public, max-age=86400"
    assert get(srv, "/app.css").header("Cache-Control") == "max-age=60"
    assert get(srv, "/plain.txt").header("Cache-Control") is None


def test_no_cache_control_by_default(serve, site, transport):
    assert get(serve(root=site, transport=transport), "/app.css").header("Cache-Control") is None


# -- precompressed siblings (RFC 9110 §8.4, §12.5.3) ----------------------------------------

ORIGINAL_CSS = b"body { color: red; }\n" * 10


@pytest.mark.parametrize(
    "accept_encoding,coding,body",
    [
        (None, None, ORIGINAL_CSS),
        ("gzip", "gzip", b"GZIP-BYTES"),
        ("gzip, br", "br", b"BROTLI-BYTES"),
        ("br;q=0.5, gzip", "gzip", b"GZIP-BYTES"),
        ("zstd, gzip;q=0.8, br;q=0.1", "zstd", b"ZSTD-BYTES"),
        # Identity is unlisted: acceptable, but after every coding the client names.
        ("zstd;q=0.9, gzip;q=0.8", "zstd", b"ZSTD-BYTES"),
        ("gzip;q=0.5, identity;q=0.6", None, ORIGINAL_CSS),
        ("*", "br", b"BROTLI-BYTES"),
        ("*;q=0.5, br;q=0", "zstd", b"ZSTD-BYTES"),
        ("deflate", None, ORIGINAL_CSS),
        ("gzip;q=0", None, ORIGINAL_CSS),
        ("identity", None, ORIGINAL_CSS),
        ("x-gzip", "gzip", b"GZIP-BYTES"),
    ],
)
def test_the_best_precompressed_sibling_is_served(
    serve, site, accept_encoding, coding, body, transport
):
    headers = [("Accept-Encoding", accept_encoding)] if accept_encoding is not None else []
    res = get(serve(root=site, transport=transport), "/app.css", headers=headers)
    assert res.status == 200, res
    assert res.body == body, res
    assert res.header("Content-Encoding") == coding, res
    assert res.header("Content-Type").startswith("text/css"), res
    assert "Accept-Encoding" in tokens(res.header("Vary")), res


def test_each_encoding_has_its_own_etag(serve, site, transport):
    srv = serve(root=site, transport=transport)
    tags = {ae: get(srv, "/app.css", [("Accept-Encoding", ae)]).header("ETag")
            for ae in ("identity", "gzip", "br", "zstd")}
    assert all(tags.values()) and len(set(tags.values())) == 4, tags


def test_a_file_without_siblings_does_not_vary(serve, site, transport):
    res = get(serve(root=site, transport=transport), "/plain.txt", [("Accept-Encoding", "gzip")])
    assert res.status == 200 and res.header("Content-Encoding") is None, res
    assert res.header("Vary") is None, res


def test_identity_refused_with_no_acceptable_sibling_serves_the_file_when_lenient(
    serve, site, transport
):
    srv = serve(root=site, transport=transport)
    res = get(srv, "/only.js", [("Accept-Encoding", "br, identity;q=0")])
    assert res.status == 200 and res.body == b"console.log(1);\n", res
    assert "Accept-Encoding" in tokens(res.header("Vary")), res


def test_identity_refused_with_no_acceptable_sibling_gives_406_when_strict(serve, site, transport):
    srv = serve("--negotiation", "strict", root=site, transport=transport)
    res = get(srv, "/only.js", [("Accept-Encoding", "br, identity;q=0")])
    assert res.status == 406, res
    assert "Accept-Encoding" in tokens(res.header("Vary")), res
    assert b'href="only.js.gz"' in res.body and b'href="only.js"' in res.body, res
    ok = get(srv, "/only.js", [("Accept-Encoding", "gzip, identity;q=0")])
    assert ok.status == 200 and ok.header("Content-Encoding") == "gzip", ok


def test_no_precompressed_serves_the_file_itself(serve, site):
    res = get(serve("--no-precompressed", root=site), "/app.css", [("Accept-Encoding", "br")])
    assert res.status == 200 and res.body == ORIGINAL_CSS, res
    assert res.header("Content-Encoding") is None, res


# -- variant files (RFC 9110 §12.1, §12.5) ---------------------------------------------------


@pytest.fixture
def variants_site(site) -> Path:
    (site / "doc.en.html").write_bytes(b"<p>English\n")
    (site / "doc.fr.html").write_bytes(b"<p>Fran\xc3\xa7ais\n")
    (site / "doc.fr.html.gz").write_bytes(b"FR-GZIP")
    (site / "report.pdf").write_bytes(b"%PDF-1.4\n")
    (site / "report.txt").write_bytes(b"report as text\n")
    return site


@pytest.mark.parametrize(
    "target,headers,body,language",
    [
        ("/doc.html", [("Accept-Language", "fr")], b"<p>Fran\xc3\xa7ais\n", "fr"),
        ("/doc.html", [("Accept-Language", "fr-CA, en;q=0.5")], b"<p>Fran\xc3\xa7ais\n", "fr"),
        ("/doc.html", [("Accept-Language", "en, fr;q=0.5")], b"<p>English\n", "en"),
        ("/doc", [("Accept-Language", "fr")], b"<p>Fran\xc3\xa7ais\n", "fr"),
        ("/doc.html", [], b"<p>English\n", "en"),
        ("/doc.html", [("Accept-Language", "de")], b"<p>English\n", "en"),
    ],
)
def test_a_missing_name_is_answered_by_its_variant_by_accept_language(
    serve, variants_site, target, headers, body, language, transport
):
    res = get(serve(root=variants_site, transport=transport), target, headers)
    assert res.status == 200 and res.body == body, res
    assert res.header("Content-Language") == language, res
    assert {"Accept", "Accept-Language"} <= tokens(",".join(res.header_all("Vary"))), res
    assert res.header("Content-Location") == f"/doc.{language}.html", res
    assert res.header("ETag"), res


@pytest.mark.parametrize("accept,body", [("application/pdf", b"%PDF-1.4\n"),
                                         ("text/plain", b"report as text\n"),
                                         ("text/*;q=0.5, application/pdf", b"%PDF-1.4\n")])
def test_a_name_without_extension_is_answered_by_accept(
    serve, variants_site, accept, body, transport
):
    res = get(serve(root=variants_site, transport=transport), "/report", [("Accept", accept)])
    assert res.status == 200 and res.body == body, res


def test_a_variant_with_a_precompressed_sibling_varies_on_all_three(
    serve, variants_site, transport
):
    res = get(serve(root=variants_site, transport=transport), "/doc.html",
              [("Accept-Language", "fr"), ("Accept-Encoding", "gzip")])
    assert res.status == 200 and res.body == b"FR-GZIP", res
    assert res.header("Content-Encoding") == "gzip", res
    vary = tokens(",".join(res.header_all("Vary")))
    assert {"Accept", "Accept-Language", "Accept-Encoding"} <= vary, res


def test_strict_negotiation_answers_406_with_the_list_of_variants(serve, variants_site, transport):
    srv = serve("--negotiation", "strict", root=variants_site, transport=transport)
    res = get(srv, "/doc.html", [("Accept-Language", "de")])
    assert res.status == 406, res
    assert b'href="doc.en.html"' in res.body and b'href="doc.fr.html"' in res.body, res
    assert "Accept-Language" in tokens(",".join(res.header_all("Vary"))), res


def test_multiple_choices_answers_300_when_variants_tie(serve, variants_site, transport):
    srv = serve("--negotiation", "multiple-choices", root=variants_site, transport=transport)
    res = get(srv, "/doc.html")
    assert res.status == 300, res
    assert b'href="doc.en.html"' in res.body and b'href="doc.fr.html"' in res.body, res
    assert "Accept-Language" in tokens(",".join(res.header_all("Vary"))), res
    chosen = get(srv, "/doc.html", [("Accept-Language", "fr")])
    assert chosen.status == 200 and chosen.header("Content-Language") == "fr", chosen


def test_strict_negotiation_comes_from_the_configuration_too(
    start_server, variants_site, tmp_path, transport
):
    config = tmp_path / "negotiation.toml"
    text, tls_port = transport.configure(
        f'[server]\nlisten = ["127.0.0.1:1"]\n[[sites]]\ndefault = true\n'
        f'root = "{variants_site}"\n[sites.static]\nnegotiation = "strict"\n')
    config.write_text(text)
    srv = transport.attach(start_server([TEAPOT_BIN, "serve", "--config", config], "negotiation"),
                           tls_port)
    res = get(srv, "/doc.html", [("Accept-Language", "de")])
    assert res.status == 406, res


def test_a_missing_name_without_variants_is_still_404(serve, variants_site, transport):
    srv = serve("--negotiation", "strict", root=variants_site, transport=transport)
    assert get(srv, "/nothing.html").status == 404
    assert get(srv, "/docs.html").status == 404
