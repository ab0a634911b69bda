"""Negotiation from the configuration: type maps (Apache's .var files) with their source
qualities, 300 and 406 from a map, 506 Variant Also Negotiates when the chosen variant would
negotiate again, and a negotiation mode per path prefix. Over h1, h2c and h2.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN
from transports import fetch

MAP = """URI: doc

URI: doc.en.html
Content-Type: text/html; qs=0.9
Content-Language: en

URI: doc.fr.html
Content-Type: text/html; charset=iso-8859-1
Content-Language: fr, fr-CA

URI: doc.txt
Content-Type: text/plain; qs=0.5
Description: plain text
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "docs").mkdir(parents=True)
    (root / "docs/doc.var").write_text(MAP)
    (root / "docs/doc.en.html").write_bytes(b"<p>English</p>\n")
    (root / "docs/doc.fr.html").write_bytes(b"<p>Fran\xe7ais</p>\n")
    (root / "docs/doc.txt").write_bytes(b"plain\n")
    # A map whose only variant is another map, and one whose variant is a name with variant
    # files of its own: either would negotiate again.
    (root / "docs/outer.var").write_text("URI: inner.var\nContent-Type: text/html\n")
    (root / "docs/inner.var").write_text("URI: doc.en.html\nContent-Type: text/html\n")
    (root / "docs/deep.var").write_text("URI: page\nContent-Type: text/html\n")
    (root / "docs/page.en.html").write_bytes(b"<p>page</p>\n")
    (root / "docs/page.de.html").write_bytes(b"<p>Seite</p>\n")
    # Two variants alike for every client: a tie.
    (root / "docs/twin.var").write_text("URI: a.html\nContent-Type: text/html\n\n"
                                        "URI: b.html\nContent-Type: text/html\n")
    (root / "docs/a.html").write_bytes(b"a\n")
    (root / "docs/b.html").write_bytes(b"b\n")
    (root / "docs/broken.var").write_text("URI: missing.html\nContent-Type: text/html\n")
    (root / "strict").mkdir()
    (root / "strict/doc.var").write_text(MAP)
    for name in ("doc.en.html", "doc.fr.html", "doc.txt"):
        (root / "strict" / name).write_bytes((root / "docs" / name).read_bytes())
    return root


@pytest.fixture
def server(start_server, site, tmp_path, transport):
    config = tmp_path / "maps.toml"
    text, tls_port = transport.configure(
        '[server]\nlisten = ["127.0.0.1:1"]\n[[sites]]\ndefault = true\n'
        f'root = "{site}"\n[sites.static]\ntype_maps = true\nnegotiation = "lenient"\n'
        '[[sites.static.negotiation_prefixes]]\nprefix = "/strict/"\n'
        'negotiation = "multiple_choices"\n')
    config.write_text(text)
    return transport.attach(start_server([TEAPOT_BIN, "serve", "--config", config], "maps"),
                            tls_port)


def get(srv, target: str, headers: list[tuple[str, str]] | None = None):
    return fetch(srv, "GET", target, headers=headers or [])


def test_a_map_serves_the_variant_its_list_ranks_best(server):
    r = get(server, "/docs/doc", [("Accept-Language", "fr")])
    assert r.status == 200, r
    assert r.body == b"<p>Fran\xe7ais</p>\n"
    assert r.header("content-type") == "text/html; charset=iso-8859-1"  # as the map says
    assert r.header("content-language") == "fr, fr-CA"  # every language the map gives it
    assert r.header("content-location") == "/docs/doc.fr.html"
    assert r.header("vary") == "Accept, Accept-Language"
    # The map itself by its name, the same way.
    r = get(server, "/docs/doc.var", [("Accept-Language", "en")])
    assert (r.status, r.body, r.header("content-location")) == (
        200, b"<p>English</p>\n", "/docs/doc.en.html")


def test_a_variant_in_several_languages_weighs_as_its_best_one(server):
    # en is weighed 1 and the French variant's fr-CA 0.8 (its fr is not accepted): 0.9 x 1
    # beats 1 x 0.8. With fr-CA at 1, the French one wins.
    r = get(server, "/docs/doc", [("Accept-Language", "en, fr-CA;q=0.8")])
    assert (r.status, r.header("content-language")) == (200, "en"), r
    r = get(server, "/docs/doc", [("Accept-Language", "fr-CA, en;q=0.8")])
    assert (r.status, r.header("content-language")) == (200, "fr, fr-CA"), r


def test_the_source_quality_decides_between_types_the_client_weighs_alike(server):
    # text/html (qs 0.9 or 1) beats text/plain (qs 0.5) at equal q; at q=0.4 for html,
    # 0.4 x 1 (fr) < 1 x 0.5 (plain).
    r = get(server, "/docs/doc", [("Accept", "text/plain, text/html"), ("Accept-Language", "fr")])
    assert r.body == b"<p>Fran\xe7ais</p>\n", r
    r = get(server, "/docs/doc", [("Accept", "text/plain, text/html;q=0.4"),
                                  ("Accept-Language", "fr")])
    assert (r.status, r.body, r.header("content-type")) == (200, b"plain\n", "text/plain"), r


def test_lenient_serves_the_maps_first_variant_when_none_is_acceptable(server):
    r = get(server, "/docs/doc", [("Accept", "image/png")])
    assert (r.status, r.body) == (200, b"<p>English</p>\n"), r


def test_below_a_strict_prefix_none_acceptable_is_406_with_the_maps_list(server):
    r = get(server, "/strict/doc", [("Accept", "image/png")])
    assert r.status == 406, r
    assert b'<a href="doc.en.html">doc.en.html</a> (text/html, en)' in r.body
    assert b'<a href="doc.txt">doc.txt</a> (plain text)' in r.body
    assert r.header("vary") == "Accept, Accept-Language"


def test_below_a_multiple_choices_prefix_a_tie_is_300_and_a_winner_is_served(server):
    r = get(server, "/strict/doc", [("Accept", "text/html"), ("Accept-Language", "fr, en")])
    assert (r.status, r.header("content-language")) == (200, "fr, fr-CA"), r  # 1 beats 0.9
    # The same map outside the prefix is lenient: the twin tie is served, not listed.
    r = get(server, "/docs/twin")
    assert (r.status, r.body) == (200, b"a\n"), r


def test_a_tie_in_a_multiple_choices_path_is_300(server, site):
    (site / "strict/twin.var").write_text("URI: a.html\nContent-Type: text/html\n\n"
                                          "URI: b.html\nContent-Type: text/html\n")
    (site / "strict/a.html").write_bytes(b"a\n")
    (site / "strict/b.html").write_bytes(b"b\n")
    r = get(server, "/strict/twin")
    assert r.status == 300, r
    assert b'<a href="a.html">' in r.body and b'<a href="b.html">' in r.body


def test_a_chosen_variant_that_is_another_map_is_506(server):
    r = get(server, "/docs/outer")
    assert r.status == 506, r
    assert r.header("content-type").startswith("text/html")  # the server's error page
    assert server.logged("type map docs/outer.var: variant 'inner.var' negotiates itself")


def test_a_chosen_variant_with_variant_files_of_its_own_is_506(server):
    r = get(server, "/docs/deep.var")
    assert r.status == 506, r


def test_a_map_whose_variants_name_no_file_is_404_and_said_in_the_log(server):
    r = get(server, "/docs/broken")
    assert r.status == 404, r
    assert server.logged("type map docs/broken.var: no variant to serve (404); "
                                 "URI 'missing.html' names no file")




def test_an_edited_map_is_read_again_at_the_next_request(server, site):
    assert get(server, "/docs/doc", [("Accept-Language", "fr")]).body == b"<p>Fran\xe7ais</p>\n"
    # Saved as editors do: a new file renamed over the old one.
    edited = site / "docs/doc.var.new"
    edited.write_text("URI: doc.en.html\nContent-Type: text/html\nContent-Language: en\n")
    edited.rename(site / "docs/doc.var")
    r = get(server, "/docs/doc", [("Accept-Language", "fr")])
    assert r.status == 200, r
    assert r.body == b"<p>English</p>\n"


def test_a_variant_file_that_appears_is_served_at_the_next_request(server, site):
    assert get(server, "/docs/broken").status == 404
    (site / "docs/missing.html").write_bytes(b"<p>here now</p>\n")
    r = get(server, "/docs/broken")
    assert r.status == 200, r
    assert r.body == b"<p>here now</p>\n"
    (site / "docs/missing.html").unlink()
    assert get(server, "/docs/broken").status == 404


def test_without_type_maps_a_var_file_is_a_file(start_server, site, tmp_path):
    config = tmp_path / "plain.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\n[[sites]]\ndefault = true\n'
                      f'root = "{site}"\n')
    srv = start_server([TEAPOT_BIN, "serve", "--config", config], "plain")
    r = fetch(srv, "GET", "/docs/doc.var")
    assert (r.status, r.body) == (200, MAP.encode()), r
    # /docs/outer finds outer.var as a variant file by its name, bytes and all: not read as a map.
    r = fetch(srv, "GET", "/docs/outer")
    assert (r.status, r.body) == (200, b"URI: inner.var\nContent-Type: text/html\n"), r


def test_check_warns_about_a_map_whose_variant_negotiates_again(site, tmp_path):
    config = tmp_path / "check.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\n[[sites]]\ndefault = true\n'
                      f'root = "{site}"\n[sites.static]\ntype_maps = true\n')
    p = subprocess.run([str(TEAPOT_BIN), "check", str(config)],
                       capture_output=True, text=True, timeout=30)
    assert "docs/outer.var: variant 'inner.var' negotiates itself" in p.stdout + p.stderr, p
    assert "docs/deep.var: variant 'page' negotiates itself" in p.stdout + p.stderr, p
    assert "docs/broken.var: URI 'missing.html' names no file" in p.stdout, p
    assert p.returncode == 0, p  # warnings: the configuration itself is valid
