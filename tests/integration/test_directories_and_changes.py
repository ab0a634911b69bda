"""Directories (index, the trailing-slash redirect, no listing) and files that change on disk
while the server runs: the next request always sees the file as it is now. Each over HTTP/1.1,
h2c and h2 (transports.py)."""

from __future__ import annotations

import os

import pytest

from conftest import SITE
from transports import fetch


@pytest.fixture
def teapot(serve, transport):
    """`teapot serve` on the docroot, reached by the transport."""
    return serve(transport=transport)


def get(srv, target: str):
    return fetch(srv, "GET", target)


def test_the_root_serves_its_index_file(teapot):
    res = get(teapot, "/")
    assert res.status == 200, res
    assert res.body == SITE["index.html"]
    assert res.header("Content-Type") == "text/html; charset=utf-8"


def test_a_directory_without_its_slash_gets_301_to_the_slash_form(teapot):
    res = get(teapot, "/sub")
    assert res.status == 301, res
    assert res.header("Location") == "/sub/"


def test_the_301_to_the_slash_form_keeps_the_query(teapot):
    res = get(teapot, "/sub?sort=name&x=%41")
    assert res.status == 301, res
    assert res.header("Location") == "/sub/?sort=name&x=%41"


def test_the_301_encodes_the_query_bytes_a_uri_may_not_hold(teapot):
    # The request line takes `|`, `{`, `"` and a lone `%` as browsers send them; Location is a
    # URI-reference (RFC 9110 §10.2.2), so they go out percent-encoded, meaning the same query.
    res = get(teapot, '/sub?tags=a|b&q={"x"}&off=100%&y=%41')
    assert res.status == 301, res
    assert res.header("Location") == "/sub/?tags=a%7Cb&q=%7B%22x%22%7D&off=100%25&y=%41", res


def test_a_directory_without_an_index_gets_403_as_listings_are_off(teapot):
    res = get(teapot, "/sub/")
    assert res.status == 403, res
    assert res.header("Content-Type") == "text/html; charset=utf-8"
    assert b"inner.txt" not in res.body


def test_a_file_name_with_a_trailing_slash_is_not_found(teapot):
    assert get(teapot, "/hello.txt/").status == 404


def test_a_file_rewritten_with_the_same_size_is_served_new_at_once(teapot, docroot):
    path = docroot / "one.txt"
    assert get(teapot, "/one.txt").body == SITE["one.txt"]
    st = os.stat(path)
    path.write_bytes(b"FIRST\n")  # same length, and the same mtime forced back below
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert get(teapot, "/one.txt").body == b"FIRST\n"


def test_a_file_that_grows_is_served_whole(teapot, docroot):
    assert get(teapot, "/two.txt").body == SITE["two.txt"]
    (docroot / "two.txt").write_bytes(b"x" * 20000)
    res = get(teapot, "/two.txt")
    assert res.status == 200 and res.body == b"x" * 20000


def test_a_deleted_file_is_gone_on_the_next_request(teapot, docroot):
    assert get(teapot, "/three.txt").status == 200
    (docroot / "three.txt").unlink()
    assert get(teapot, "/three.txt").status == 404


def test_a_file_replaced_by_a_link_out_of_the_root_is_not_served(teapot, docroot):
    assert get(teapot, "/hello.txt").status == 200
    (docroot / "hello.txt").unlink()
    (docroot / "hello.txt").symlink_to(docroot.parent / "outside" / "secret.txt")
    res = get(teapot, "/hello.txt")
    assert res.status == 403, res
    assert b"OUTSIDE-THE-ROOT" not in res.body


def test_the_slash_redirect_of_an_encoded_name_stays_encoded(teapot, docroot):
    (docroot / "sp ace").mkdir()
    (docroot / "q?m").mkdir()
    assert get(teapot, "/sp%20ace").header("Location") == "/sp%20ace/"
    assert get(teapot, "/q%3Fm").header("Location") == "/q%3Fm/"


# Files over 16 KiB are served from a descriptor the worker keeps open: the same promises hold.
LARGE = 100_000


def test_a_large_file_rewritten_in_place_is_served_new_at_once(teapot, docroot):
    path = docroot / "large.bin"
    path.write_bytes(b"a" * LARGE)
    first = get(teapot, "/large.bin")
    assert first.status == 200 and first.body == b"a" * LARGE
    st = os.stat(path)
    with open(path, "r+b") as f:  # the same inode and length, the mtime forced back
        f.write(b"b" * LARGE)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    res = get(teapot, "/large.bin")
    assert res.body == b"b" * LARGE
    assert get(teapot, "/large.bin").body == b"b" * LARGE


def test_a_large_file_replaced_by_rename_is_served_new_at_once(teapot, docroot):
    (docroot / "swap.bin").write_bytes(b"1" * LARGE)
    first = get(teapot, "/swap.bin")
    assert first.body == b"1" * LARGE
    (docroot / "swap.new").write_bytes(b"2" * LARGE)
    os.rename(docroot / "swap.new", docroot / "swap.bin")
    res = get(teapot, "/swap.bin")
    assert res.status == 200 and res.body == b"2" * LARGE
    assert res.header("ETag") != first.header("ETag")


def test_a_deleted_large_file_is_gone_on_the_next_request(teapot, docroot):
    (docroot / "gone.bin").write_bytes(b"g" * LARGE)
    assert get(teapot, "/gone.bin").status == 200
    (docroot / "gone.bin").unlink()
    assert get(teapot, "/gone.bin").status == 404


def test_a_large_file_replaced_by_a_link_out_of_the_root_is_not_served(teapot, docroot):
    (docroot / "big-link.bin").write_bytes(b"k" * LARGE)
    assert get(teapot, "/big-link.bin").status == 200
    (docroot / "big-link.bin").unlink()
    (docroot / "big-link.bin").symlink_to(docroot.parent / "outside" / "secret.txt")
    res = get(teapot, "/big-link.bin")
    assert res.status == 403, res
    assert b"OUTSIDE-THE-ROOT" not in res.body
