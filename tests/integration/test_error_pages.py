"""Error pages over real sockets: a 404 from `teapot serve DIR` in English, French, fr-x-uwu and
as RFC 9457 problem details, each with its charset, and never stored by caches."""

from __future__ import annotations

import json

from wire import exchange, request

MISSING = "/no-such-file.txt"


def not_found(port: int, *headers: tuple[str, str]):
    res = exchange(port, request("GET", MISSING, headers=list(headers)))
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
    res = not_found(teapot.port)
    text = assert_html_page(res, "en")
    assert "<title>404 Not Found</title>" in text
    assert_not_stored(res)


def test_404_in_french(teapot):
    res = not_found(teapot.port, ("Accept-Language", "fr-CA, en;q=0.5"))
    text = assert_html_page(res, "fr")
    assert "<title>404 Introuvable</title>" in text
    assert "Vérifiez" in text
    assert_not_stored(res)


def test_404_in_uwu(teapot):
    res = not_found(teapot.port, ("Accept-Language", "fr-x-uwu"))
    text = assert_html_page(res, "fr-x-uwu")
    assert "<title>404 intwouvabwe</title>" in text
    assert "véwifiez" in text  # the é survives the filter
    assert_not_stored(res)


def test_uwu_is_never_chosen_through_fr_or_a_wildcard(teapot):
    for value in ("fr", "*", "de, *;q=0.5"):
        res = not_found(teapot.port, ("Accept-Language", value))
        assert res.header("Content-Language") in ("en", "fr"), (value, res)


def test_404_as_problem_json(teapot):
    res = not_found(teapot.port, ("Accept", "application/problem+json, text/html;q=0.5"))
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
    res = not_found(teapot.port, ("Accept", "application/json"), ("Accept-Language", "fr"))
    assert res.header("Content-Type") == "application/problem+json; charset=utf-8", res
    assert res.header("Content-Language") == "fr", res
    problem = json.loads(res.body.decode("utf-8"))
    assert problem["title"] == "Not Found"
    assert problem["status"] == 404
    assert problem["detail"].startswith("Le serveur n’a rien à cette adresse.")
    assert_not_stored(res)

    res = not_found(teapot.port, ("Accept", "application/json"), ("Accept-Language", "fr-x-uwu"))
    assert res.header("Content-Language") == "fr-x-uwu", res
    assert json.loads(res.body.decode("utf-8"))["detail"].startswith("we sewveuw n’a w-wien à")


def test_a_browser_accept_gets_html(teapot):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    res = not_found(teapot.port, ("Accept", browser), ("Accept-Language", "fr"))
    assert_html_page(res, "fr")
    assert_not_stored(res)


def test_head_of_a_missing_file_has_the_same_headers(teapot):
    res = exchange(
        teapot.port,
        request("HEAD", MISSING, headers=[("Accept", "application/problem+json")]),
        head=True,
    )
    assert res.status == 404, res
    assert res.body == b""
    assert res.header("Content-Type") == "application/problem+json; charset=utf-8", res
    assert_not_stored(res)
