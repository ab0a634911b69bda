"""Error pages over real sockets: a 404 from `teapot serve DIR` in English, French, fr-x-uwu and
as RFC 9457 problem details, each with its charset, and never stored by caches; then a site's
own pages and options from [sites.error_pages] (`teapot serve --config FILE`), which every error
the site answers gets, and an error decided before the site is known does not. Each over
HTTP/1.1, h2c and h2 (transports.py), but the malformed request, which only HTTP/1.1's codec
sees as bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, require, run_cli
from transports import fetch, h1_only
from wire import Conn

MISSING = "/no-such-file.txt"


@pytest.fixture
def teapot(serve, transport):
    """`teapot serve` on the docroot, reached by the transport."""
    return serve(transport=transport)


def not_found(srv, *headers: tuple[str, str]):
    res = fetch(srv, "GET", MISSING, headers=list(headers))
    assert res.status == 404, res
    return res


def vary_tokens(res) -> set[str]:
    return {t.strip().lower() for v in res.header_all("Vary") for t in v.split(",")}


def assert_not_stored(res) -> None:
    # A transient 404 must not be replayed from a cache (404 is heuristically cacheable,
    # RFC 9110 §15.1), so the server sends no-store unless told otherwise.
    assert res.header("Cache-Control") == "no-store", res


def assert_html_page(res, lang: str) -> str:
    assert res.header("Content-Type") == "text/html; charset=utf-8", res
    assert res.header("Content-Language") == lang, res
    assert {"accept", "accept-language"} <= vary_tokens(res), res
    assert int(res.header("Content-Length")) == len(res.body), res
    text = res.body.decode("utf-8")  # raises if the bytes are not UTF-8
    assert f'<html lang="{lang}">' in text
    assert '<meta charset="utf-8">' in text
    assert "Ã" not in text  # no UTF-8 read as Latin-1 on the way
    return text


def test_404_in_english_by_default(teapot):
    res = not_found(teapot)
    text = assert_html_page(res, "en")
    assert "<title>404 Not Found</title>" in text
    assert_not_stored(res)


def test_404_in_french(teapot):
    res = not_found(teapot, ("Accept-Language", "fr-CA, en;q=0.5"))
    text = assert_html_page(res, "fr")
    assert "<title>404 Introuvable</title>" in text
    assert "Vérifiez" in text
    assert_not_stored(res)


def test_404_in_uwu(teapot):
    res = not_found(teapot, ("Accept-Language", "fr-x-uwu"))
    text = assert_html_page(res, "fr-x-uwu")
    assert "<title>404 intwouvabwe</title>" in text
    assert "véwifiez" in text  # the é survives the filter
    assert_not_stored(res)


def test_uwu_is_never_chosen_through_fr_or_a_wildcard(teapot):
    for value in ("fr", "*", "de, *;q=0.5"):
        res = not_found(teapot, ("Accept-Language", value))
        assert res.header("Content-Language") in ("en", "fr"), (value, res)


def test_404_as_problem_json(teapot):
    res = not_found(teapot, ("Accept", "application/problem+json, text/html;q=0.5"))
    assert res.header("Content-Type") == "application/problem+json; charset=utf-8", res
    assert res.header("Content-Language") == "en", res
    assert {"accept", "accept-language"} <= vary_tokens(res), res
    assert int(res.header("Content-Length")) == len(res.body), res
    assert json.loads(res.body.decode("utf-8")) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "The server has nothing at this address. Check the address for typing "
        "mistakes, or start again from the site's home page.",
    }
    assert_not_stored(res)


def test_404_as_problem_json_in_french_and_uwu(teapot):
    res = not_found(teapot, ("Accept", "application/json"), ("Accept-Language", "fr"))
    assert res.header("Content-Type") == "application/problem+json; charset=utf-8", res
    assert res.header("Content-Language") == "fr", res
    problem = json.loads(res.body.decode("utf-8"))
    assert problem["title"] == "Not Found"
    assert problem["status"] == 404
    assert problem["detail"].startswith("Le serveur n’a rien à cette adresse.")
    assert_not_stored(res)

    res = not_found(teapot, ("Accept", "application/json"), ("Accept-Language", "fr-x-uwu"))
    assert res.header("Content-Language") == "fr-x-uwu", res
    assert json.loads(res.body.decode("utf-8"))["detail"].startswith("we sewveuw n’a w-wien à")


def test_a_browser_accept_gets_html(teapot):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    res = not_found(teapot, ("Accept", browser), ("Accept-Language", "fr"))
    assert_html_page(res, "fr")
    assert_not_stored(res)


def test_head_of_a_missing_file_has_the_same_headers(teapot):
    res = fetch(teapot, "HEAD", MISSING, headers=[("Accept", "application/problem+json")])
    assert res.status == 404, res
    assert res.body == b""
    assert res.header("Content-Type") == "application/problem+json; charset=utf-8", res
    assert_not_stored(res)


# -- a site's own error pages and options (teapot serve --config) -----------------------------

OWN_404 = "<!DOCTYPE html>\n<title>Perdu ?</title>\n<p>Rien à cette adresse.</p>\n".encode()
OWN_503 = b'{"down": "for maintenance"}\n'
OWN_400 = b"never sent: a malformed request has no site\n"
OWN_412 = b"Somebody changed this file first.\n"

SITE_PAGES = """
[[sites]]
default = true
root = "site"

[sites.maintenance]
enabled = true
prefixes = ["/down/"]
retry_after = 120

[sites.error_pages]
files = { "404" = "pages/404.html", "503" = "pages/503.json", "400" = "pages/400.html", \
"412" = "pages/412.txt" }
@OPTIONS@
"""


@pytest.fixture
def serve_site(start_server, tmp_path: Path, transport):
    """Factory: serve_site(error_page_options) runs `teapot serve --config FILE` on a site with
    its own 404, 503 and 400 pages, maintenance (503) under /down/, and the given extra keys of
    [sites.error_pages], reached by the transport."""
    require(TEAPOT_BIN, "teapot")
    build_docroot(tmp_path / "site")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "404.html").write_bytes(OWN_404)
    (pages / "503.json").write_bytes(OWN_503)
    (pages / "400.html").write_bytes(OWN_400)
    (pages / "412.txt").write_bytes(OWN_412)

    def start(options: str = ""):
        config = tmp_path / f"teapot-{len(list(tmp_path.glob('teapot-*.toml')))}.toml"
        text, tls_port = transport.configure(
            '[server]\nlisten = ["127.0.0.1:1"]\nworkers = 1\ndrain_timeout = "1s"\n'
            + SITE_PAGES.replace("@OPTIONS@", options)
        )
        config.write_text(text)
        server = start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-pages")
        return transport.attach(server, tls_port)

    return start


def test_a_site_page_replaces_the_404_byte_for_byte(serve_site):
    srv = serve_site()
    for language in ("en", "fr", "fr-x-uwu"):
        res = not_found(srv, ("Accept-Language", language))
        assert res.body == OWN_404, res
        assert res.header("Content-Type") == "text/html; charset=utf-8", res
        assert int(res.header("Content-Length")) == len(OWN_404), res
        # The file has no language teapot knows of, whatever the client asked for.
        assert res.header("Content-Language") is None, res
        # Problem details are still possible, in the client's language: both fields choose.
        assert vary_tokens(res) == {"accept", "accept-language"}, res
        assert_not_stored(res)
    head = fetch(srv, "HEAD", MISSING)
    assert head.status == 404 and head.body == b"", head
    assert head.header("Content-Length") == str(len(OWN_404)), head


def test_a_json_client_still_gets_problem_details_from_a_site_with_its_own_404(serve_site):
    srv = serve_site()
    res = not_found(srv, ("Accept", "application/json"))
    assert res.header("Content-Type") == "application/problem+json; charset=utf-8", res
    assert json.loads(res.body)["status"] == 404


def test_a_policy_error_gets_the_site_page_and_keeps_its_required_fields(serve_site):
    srv = serve_site()
    res = fetch(srv, "GET", "/down/x")
    assert res.status == 503, res
    assert res.body == OWN_503, res
    # The page's type is its file's: RFC 8259 §11 defines no charset for application/json.
    assert res.header("Content-Type") == "application/json", res
    assert res.header("Retry-After") == "120", res
    assert_not_stored(res)


def test_problem_json_off_gives_html_even_to_a_json_client(serve_site):
    srv = serve_site("problem_json = false")
    res = not_found(srv, ("Accept", "application/problem+json"))
    assert res.body == OWN_404, res
    assert res.header("Content-Type") == "text/html; charset=utf-8", res
    assert res.header("Vary") is None, res  # one page for every client
    # A code without a page of the site's own: the built-in HTML page, chosen by language only.
    res = fetch(srv, "POST", "/hello.txt", headers=[("Accept", "application/json")], body=b"x")
    assert res.status == 405, res
    text = assert_html_page_by_language(res, "en")
    assert "<title>405 Method Not Allowed</title>" in text


def assert_html_page_by_language(res, lang: str) -> str:
    assert res.header("Content-Type") == "text/html; charset=utf-8", res
    assert res.header("Content-Language") == lang, res
    assert vary_tokens(res) == {"accept-language"}, res
    return res.body.decode("utf-8")


def test_a_site_chooses_the_cache_control_of_its_error_pages(serve_site):
    srv = serve_site('cache_control = "public, max-age=60"')
    assert not_found(srv).header("Cache-Control") == "public, max-age=60"
    # And the router's 405, which has no page of the site's own, too.
    res = fetch(srv, "DELETE", "/hello.txt")
    assert res.status == 405 and res.header("Cache-Control") == "public, max-age=60", res


def test_an_empty_cache_control_sends_none(serve_site):
    srv = serve_site('cache_control = ""')
    res = not_found(srv)
    assert res.body == OWN_404, res
    assert res.header("Cache-Control") is None, res


def test_a_code_without_a_site_page_gets_the_built_in_one(serve_site):
    srv = serve_site()
    res = fetch(srv, "DELETE", "/hello.txt", headers=[("Accept-Language", "fr")])
    assert res.status == 405, res
    text = assert_html_page(res, "fr")
    assert "405 Méthode non autorisée" in text
    assert res.header("Allow") is not None, res
    assert_not_stored(res)


def test_a_precondition_failure_gets_the_site_page_too(serve_site):
    srv = serve_site()
    res = fetch(srv, "GET", "/hello.txt", headers=[("If-Match", '"nope"')])
    assert res.status == 412, res
    assert res.body == OWN_412, res
    assert res.header("Content-Type") == "text/plain; charset=utf-8", res
    assert_not_stored(res)


@h1_only
def test_a_malformed_request_gets_the_built_in_400_not_the_site_page(serve_site):
    """HTTP/1.1 only: bytes its codec refuses (over HTTP/2 a malformed head is a stream error)."""
    srv = serve_site()
    with Conn(srv.port) as c:
        c.send(b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nBad Field: x\r\n\r\n")
        res = c.read_response()
        assert res.status == 400, res
        assert res.body != OWN_400, res
        assert '<html lang="en">' in res.body.decode("utf-8"), res
        assert res.header("Content-Language") == "en", res
        assert res.has_token("Connection", "close"), res


def test_teapot_check_refuses_a_missing_error_page_with_its_position(tmp_path: Path):
    config = tmp_path / "teapot.toml"
    config.write_text(
        '[[sites]]\ndefault = true\n[sites.error_pages]\nfiles = { "404" = "pages/lost.html" }\n'
    )
    p = run_cli("check", str(config))
    assert p.returncode == 2, p
    assert p.stderr.decode().splitlines() == [
        f"{config}:4:19: sites[0].error_pages.files.404: '{tmp_path}/pages/lost.html' does not "
        "exist"
    ]
