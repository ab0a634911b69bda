"""WebDAV (RFC 4918, RFC 5842) provoked from outside over real sockets: each method's statuses,
the files they leave on disk, and the XML of their multistatus answers. The server is
`teapot serve --config` with a [[sites.webdav]] area at /dav/ (conftest's serve_dav).

Each test runs over HTTP/1.1, h2c and h2 (transports.py), but two: 102 Processing, which only
HTTP/1.1 clients get, and an upload held half-sent on a raw HTTP/1.1 connection."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from dav_client import DAV, dav, dav_with_interims, lock_body, multistatus, prop_status, prop_value
from transports import authority, connect, url
from wire import Conn, request

PROPFIND_ETAG = (
    b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
    b"<D:getcontentlength/><D:resourcetype/></D:prop></D:propfind>"
)


def user_files(root) -> list[str]:
    """The names in root that are not the server's own (database, uploads in progress)."""
    return sorted(n for n in os.listdir(root) if not n.startswith(".teapot-"))


# -- PUT ------------------------------------------------------------------------------------


def test_put_of_a_new_file_answers_201_with_location_and_leaves_exactly_those_bytes(serve_dav, transport):
    srv = serve_dav(transport=transport)
    body = bytes(range(256)) * 300
    res = dav(srv, "PUT", "/dav/new.bin", body=body)
    assert res.status == 201, res
    assert res.header("Location") == "/dav/new.bin"
    assert (srv.root / "new.bin").read_bytes() == body
    assert user_files(srv.root) == ["new.bin"]
    assert not [n for n in os.listdir(srv.root) if n.startswith(".teapot-put")]


def test_put_over_an_existing_file_answers_204_and_get_returns_the_new_bytes_with_the_same_etag_as_propfind(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "a.txt").write_bytes(b"old\n")
    res = dav(srv, "PUT", "/dav/a.txt", body=b"new content\n")
    assert res.status == 204, res
    got = dav(srv, "GET", "/dav/a.txt")
    assert got.status == 200 and got.body == b"new content\n"
    assert got.header("ETag") == res.header("ETag")
    pf = multistatus(dav(srv, "PROPFIND", "/dav/a.txt", headers=[("Depth", "0")],
                         body=PROPFIND_ETAG))
    assert prop_value(pf["/dav/a.txt"], DAV + "getetag").text == got.header("ETag")
    assert prop_value(pf["/dav/a.txt"], DAV + "getcontentlength").text == "12"


def test_put_under_a_missing_collection_answers_409_and_creates_nothing(serve_dav, transport):
    srv = serve_dav(transport=transport)
    res = dav(srv, "PUT", "/dav/missing/a.txt", body=b"x")
    assert res.status == 409, res
    assert not (srv.root / "missing").exists()


def test_put_with_content_range_answers_400_and_keeps_the_file(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "a.txt").write_bytes(b"keep me\n")
    res = dav(srv, "PUT", "/dav/a.txt", headers=[("Content-Range", "bytes 0-1/8")], body=b"xx")
    assert res.status == 400, res
    assert (srv.root / "a.txt").read_bytes() == b"keep me\n"


def test_put_in_a_content_coding_the_server_does_not_decode_answers_415(serve_dav, transport):
    srv = serve_dav(transport=transport)
    res = dav(srv, "PUT", "/dav/a.txt", headers=[("Content-Encoding", "gzip")], body=b"\x1f\x8b")
    assert res.status == 415, res
    assert not (srv.root / "a.txt").exists()


def test_put_at_the_body_limit_is_stored_and_one_byte_past_it_answers_413(serve_dav, transport):
    srv = serve_dav(body_max="1KiB", transport=transport)
    assert dav(srv, "PUT", "/dav/at.bin", body=b"a" * 1024).status == 201
    res = dav(srv, "PUT", "/dav/past.bin", body=b"a" * 1025)
    assert res.status == 413, res
    assert not (srv.root / "past.bin").exists()
    assert not [n for n in os.listdir(srv.root) if n.startswith(".teapot-put")]


def test_put_with_if_match_of_another_tag_answers_412_and_if_none_match_star_on_an_existing_file_too(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "a.txt").write_bytes(b"v1\n")
    assert dav(srv, "PUT", "/dav/a.txt", headers=[("If-Match", '"nope"')], body=b"v2\n").status == 412
    assert dav(srv, "PUT", "/dav/a.txt", headers=[("If-None-Match", "*")], body=b"v2\n").status == 412
    assert (srv.root / "a.txt").read_bytes() == b"v1\n"
    tag = dav(srv, "HEAD", "/dav/a.txt").header("ETag")
    assert dav(srv, "PUT", "/dav/a.txt", headers=[("If-Match", tag)], body=b"v2\n").status == 204
    assert (srv.root / "a.txt").read_bytes() == b"v2\n"


def test_require_if_match_answers_428_to_a_put_delete_or_move_without_a_validator(serve_dav, transport):
    srv = serve_dav(require_if_match=True, transport=transport)
    (srv.root / "a.txt").write_bytes(b"v1\n")
    assert dav(srv, "PUT", "/dav/a.txt", body=b"v2\n").status == 428
    assert dav(srv, "DELETE", "/dav/a.txt").status == 428
    assert dav(srv, "MOVE", "/dav/a.txt",
               headers=[("Destination", url(srv, "/dav/b.txt"))]).status == 428
    assert (srv.root / "a.txt").read_bytes() == b"v1\n"


def test_a_put_past_the_quota_answers_507_and_leaves_the_old_file_whole(serve_dav, transport):
    srv = serve_dav(quota="1KiB", transport=transport)
    assert dav(srv, "PUT", "/dav/a.bin", body=b"a" * 1000).status == 201
    res = dav(srv, "PUT", "/dav/b.bin", body=b"b" * 100)
    assert res.status == 507, res
    assert not (srv.root / "b.bin").exists()
    # Replacing a file counts only what it adds.
    assert dav(srv, "PUT", "/dav/a.bin", body=b"c" * 1024).status == 204
    assert (srv.root / "a.bin").read_bytes() == b"c" * 1024
    assert not [n for n in os.listdir(srv.root) if n.startswith(".teapot-put")]


def test_the_quota_is_settled_against_the_file_replaced_at_the_end_not_the_one_seen_at_the_start(serve_dav):
    srv = serve_dav(quota="1500")
    (srv.root / "f.bin").write_bytes(b"o" * 1000)
    srv.stop()
    srv = serve_dav(root=srv.root, quota="1500")  # counts the 1000 bytes at its start
    with Conn(srv.port) as c:
        c.send(request("PUT", "/dav/f.bin", host=f"127.0.0.1:{srv.port}",
                       headers=[("Content-Length", "1000")]) + b"n" * 500)
        # The file the upload replaces goes away before it ends: its bytes are no credit.
        assert dav(srv, "DELETE", "/dav/f.bin").status == 204
        c.send(b"n" * 500)
        assert c.read_response().status == 201
    assert (srv.root / "f.bin").read_bytes() == b"n" * 1000
    assert dav(srv, "PUT", "/dav/g.bin", body=b"g" * 600).status == 507
    assert dav(srv, "PUT", "/dav/g.bin", body=b"g" * 500).status == 201


# -- MKCOL, DELETE --------------------------------------------------------------------------


def test_mkcol_answers_201_then_405_with_allow_409_without_a_parent_and_415_with_a_body(serve_dav, transport):
    srv = serve_dav(transport=transport)
    assert dav(srv, "MKCOL", "/dav/c/").status == 201
    assert (srv.root / "c").is_dir()
    again = dav(srv, "MKCOL", "/dav/c/")
    assert again.status == 405, again
    assert again.has_token("Allow", "PROPFIND") and not again.has_token("Allow", "MKCOL")
    assert dav(srv, "MKCOL", "/dav/x/y/").status == 409
    with_body = dav(srv, "MKCOL", "/dav/d/", body=b"<x/>")
    assert with_body.status == 415, with_body
    assert not (srv.root / "d").exists()


def test_delete_of_a_collection_removes_the_whole_tree_and_answers_204(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "t" / "u").mkdir(parents=True)
    (srv.root / "t" / "u" / "f.txt").write_bytes(b"f")
    (srv.root / "t" / "g.txt").write_bytes(b"g")
    assert dav(srv, "DELETE", "/dav/t/").status == 204
    assert not (srv.root / "t").exists()
    assert dav(srv, "DELETE", "/dav/t/").status == 404


def test_delete_of_a_collection_with_depth_other_than_infinity_answers_400(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "t").mkdir()
    assert dav(srv, "DELETE", "/dav/t/", headers=[("Depth", "0")]).status == 400
    assert (srv.root / "t").is_dir()


# -- COPY, MOVE -----------------------------------------------------------------------------


def test_copy_answers_201_new_204_replaced_and_412_with_overwrite_f(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "a.txt").write_bytes(b"A")
    dest = [("Destination", url(srv, "/dav/b.txt"))]
    assert dav(srv, "COPY", "/dav/a.txt", headers=dest).status == 201
    assert (srv.root / "b.txt").read_bytes() == b"A"
    (srv.root / "a.txt").write_bytes(b"AA")
    assert dav(srv, "COPY", "/dav/a.txt", headers=dest + [("Overwrite", "F")]).status == 412
    assert (srv.root / "b.txt").read_bytes() == b"A"
    assert dav(srv, "COPY", "/dav/a.txt", headers=dest).status == 204
    assert (srv.root / "b.txt").read_bytes() == b"AA"


def test_copy_onto_itself_answers_403_and_to_another_authority_502(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "a.txt").write_bytes(b"A")
    same = dav(srv, "COPY", "/dav/a.txt", headers=[("Destination", url(srv, "/dav/a.txt"))])
    assert same.status == 403, same
    other = dav(srv, "COPY", "/dav/a.txt",
                headers=[("Destination", "http://elsewhere.example/dav/a.txt")])
    assert other.status == 502, other
    assert dav(srv, "COPY", "/dav/a.txt").status == 400  # no Destination


def test_copy_of_a_collection_with_depth_0_copies_only_the_collection(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "c").mkdir()
    (srv.root / "c" / "f.txt").write_bytes(b"f")
    res = dav(srv, "COPY", "/dav/c/", headers=[("Destination", url(srv, "/dav/d/")), ("Depth", "0")])
    assert res.status == 201, res
    assert (srv.root / "d").is_dir() and os.listdir(srv.root / "d") == []
    assert dav(srv, "COPY", "/dav/c/", headers=[("Destination", url(srv, "/dav/e/")), ("Depth", "1")]).status == 400


def test_move_renames_a_tree_and_carries_its_dead_properties(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "c").mkdir()
    (srv.root / "c" / "f.txt").write_bytes(b"f")
    patch = (b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z">'
             b"<D:set><D:prop><Z:colour>teal</Z:colour></D:prop></D:set></D:propertyupdate>")
    assert dav(srv, "PROPPATCH", "/dav/c/f.txt", body=patch).status == 207
    res = dav(srv, "MOVE", "/dav/c/", headers=[("Destination", url(srv, "/dav/m/"))])
    assert res.status == 201, res
    assert not (srv.root / "c").exists() and (srv.root / "m" / "f.txt").read_bytes() == b"f"
    ask = b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><colour xmlns="urn:z"/></D:prop></D:propfind>'
    pf = multistatus(dav(srv, "PROPFIND", "/dav/m/f.txt", headers=[("Depth", "0")], body=ask))
    assert prop_value(pf["/dav/m/f.txt"], "{urn:z}colour").text == "teal"


# -- PROPFIND, PROPPATCH ----------------------------------------------------------------------


def test_propfind_depth_1_lists_the_collection_and_its_members_with_their_live_properties(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "sub").mkdir()
    (srv.root / "f.txt").write_bytes(b"12345")
    (srv.root / "caf\u00e9 & tea.txt").write_bytes(b"x")
    res = dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "1")])
    ms = multistatus(res)
    assert set(ms) == {"/dav/", "/dav/sub/", "/dav/f.txt", "/dav/caf%C3%A9%20%26%20tea.txt"}
    assert prop_value(ms["/dav/sub/"], DAV + "resourcetype").find(DAV + "collection") is not None
    assert prop_value(ms["/dav/f.txt"], DAV + "getcontentlength").text == "5"
    assert prop_value(ms["/dav/f.txt"], DAV + "getcontenttype").text == "text/plain; charset=utf-8"
    assert prop_value(ms["/dav/f.txt"], DAV + "supportedlock") is not None


def test_propfind_of_unknown_properties_reports_them_404_beside_the_known_ones(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "f.txt").write_bytes(b"12345")
    body = (b'<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getcontentlength/>'
            b'<nothing xmlns="urn:none"/></prop></propfind>')
    ms = multistatus(dav(srv, "PROPFIND", "/dav/f.txt", headers=[("Depth", "0")], body=body))
    assert prop_status(ms["/dav/f.txt"], DAV + "getcontentlength") == 200
    assert prop_status(ms["/dav/f.txt"], "{urn:none}nothing") == 404


def test_propfind_with_malformed_xml_answers_400_and_with_the_wrong_shape_422(serve_dav, transport):
    srv = serve_dav(transport=transport)
    assert dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "0")], body=b"<propfind").status == 400
    wrong = b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"/>'
    assert dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "0")], body=wrong).status == 422
    assert dav(srv, "PROPFIND", "/dav/nothing", headers=[("Depth", "0")]).status == 404


def test_propfind_depth_infinity_when_disabled_answers_403_with_propfind_finite_depth(serve_dav, transport):
    srv = serve_dav(depth_infinity=False, transport=transport)
    res = dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "infinity")])
    assert res.status == 403, res
    assert ET.fromstring(res.body).find(DAV + "propfind-finite-depth") is not None


def test_without_depth_infinity_a_collection_with_members_is_neither_copied_deep_nor_deleted_403(serve_dav, transport):
    srv = serve_dav(depth_infinity=False, transport=transport)
    (srv.root / "c").mkdir()
    (srv.root / "c" / "f.txt").write_bytes(b"f")
    (srv.root / "empty").mkdir()
    assert dav(srv, "DELETE", "/dav/c/").status == 403
    assert dav(srv, "COPY", "/dav/c/", headers=[("Destination", url(srv, "/dav/d/"))]).status == 403
    assert (srv.root / "c" / "f.txt").read_bytes() == b"f" and not (srv.root / "d").exists()
    assert dav(srv, "COPY", "/dav/c/", headers=[("Destination", url(srv, "/dav/d/")), ("Depth", "0")]).status == 201
    assert dav(srv, "DELETE", "/dav/empty/").status == 204


def test_proppatch_sets_and_removes_dead_properties_in_one_207(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "f.txt").write_bytes(b"x")
    patch = (b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z">'
             b"<D:set><D:prop><Z:a>1</Z:a><Z:b><Z:inner>2</Z:inner></Z:b></D:prop></D:set>"
             b"<D:remove><D:prop><Z:a/></D:prop></D:remove></D:propertyupdate>")
    ms = multistatus(dav(srv, "PROPPATCH", "/dav/f.txt", body=patch))
    assert prop_status(ms["/dav/f.txt"], "{urn:z}b") == 200
    pf = multistatus(dav(srv, "PROPFIND", "/dav/f.txt", headers=[("Depth", "0")]))
    assert prop_value(pf["/dav/f.txt"], "{urn:z}a") is None
    assert prop_value(pf["/dav/f.txt"], "{urn:z}b").findtext("{urn:z}inner") == "2"


def test_proppatch_of_a_protected_property_fails_403_and_the_rest_424_with_nothing_applied(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "f.txt").write_bytes(b"x")
    patch = (b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z">'
             b"<D:set><D:prop><Z:a>1</Z:a><D:getetag>forged</D:getetag></D:prop></D:set>"
             b"</D:propertyupdate>")
    ms = multistatus(dav(srv, "PROPPATCH", "/dav/f.txt", body=patch))
    assert prop_status(ms["/dav/f.txt"], DAV + "getetag") == 403
    assert prop_status(ms["/dav/f.txt"], "{urn:z}a") == 424
    pf = multistatus(dav(srv, "PROPFIND", "/dav/f.txt", headers=[("Depth", "0")]))
    assert prop_value(pf["/dav/f.txt"], "{urn:z}a") is None


# -- bindings (RFC 5842) ---------------------------------------------------------------------


def test_a_binding_loop_answers_508_without_dav_bind_and_208_once_with_it(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "top" / "mid").mkdir(parents=True)
    os.symlink("..", srv.root / "top" / "mid" / "back")  # mid/back is top again
    res = dav(srv, "PROPFIND", "/dav/top/", headers=[("Depth", "infinity")])
    assert res.status == 508, res
    ms = multistatus(dav(srv, "PROPFIND", "/dav/top/",
                         headers=[("Depth", "infinity"), ("DAV", "bind")]))
    assert set(ms) == {"/dav/top/", "/dav/top/mid/", "/dav/top/mid/back/"}
    assert ms["/dav/top/mid/back/"].findtext(DAV + "status") == "HTTP/1.1 208 Already Reported"
    copy = dav(srv, "COPY", "/dav/top/", headers=[("Destination", url(srv, "/dav/copy/"))])
    assert copy.status == 508, copy
    assert not (srv.root / "copy").exists()


# -- LOCK, UNLOCK ----------------------------------------------------------------------------


def test_a_locked_file_refuses_a_put_without_its_token_423_and_takes_one_with_it(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "f.txt").write_bytes(b"v1")
    lk = dav(srv, "LOCK", "/dav/f.txt", headers=[("Timeout", "Second-600")], body=lock_body())
    assert lk.status == 200, lk
    token = lk.header("Lock-Token")
    assert token.startswith("<urn:uuid:") and token.endswith(">")
    active = ET.fromstring(lk.body).find(f"{DAV}lockdiscovery/{DAV}activelock")
    assert active.findtext(f"{DAV}locktoken/{DAV}href") == token[1:-1]
    assert active.findtext(f"{DAV}timeout") in ("Second-600", "Second-599")
    refused = dav(srv, "PUT", "/dav/f.txt", body=b"v2")
    assert refused.status == 423, refused
    assert ET.fromstring(refused.body).findtext(f"{DAV}lock-token-submitted/{DAV}href") == "/dav/f.txt"
    assert (srv.root / "f.txt").read_bytes() == b"v1"
    ok = dav(srv, "PUT", "/dav/f.txt", headers=[("If", f"({token})")], body=b"v2")
    assert ok.status == 204, ok
    assert dav(srv, "UNLOCK", "/dav/f.txt", headers=[("Lock-Token", token)]).status == 204
    assert dav(srv, "PUT", "/dav/f.txt", body=b"v3").status == 204


def test_an_exclusive_lock_refuses_a_second_lock_423_and_unlock_of_a_wrong_token_409(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "f.txt").write_bytes(b"v1")
    assert dav(srv, "LOCK", "/dav/f.txt", body=lock_body()).status == 200
    second = dav(srv, "LOCK", "/dav/f.txt", body=lock_body("shared"))
    assert second.status == 423, second
    wrong = dav(srv, "UNLOCK", "/dav/f.txt", headers=[("Lock-Token", "<urn:uuid:00000000-0000-4000-8000-000000000000>")])
    assert wrong.status == 409, wrong


def test_a_lock_on_an_unmapped_url_creates_an_empty_locked_file_201(serve_dav, transport):
    srv = serve_dav(transport=transport)
    res = dav(srv, "LOCK", "/dav/new.txt", body=lock_body())
    assert res.status == 201, res
    assert (srv.root / "new.txt").read_bytes() == b""
    assert dav(srv, "DELETE", "/dav/new.txt").status == 423


def test_an_if_field_that_no_list_satisfies_answers_412(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "f.txt").write_bytes(b"v1")
    res = dav(srv, "PUT", "/dav/f.txt", headers=[("If", '(["not-the-tag"])')], body=b"v2")
    assert res.status == 412, res
    # DAV:no-lock matches no lock (RFC 4918 §10.4.8): alone it fails, negated it holds.
    assert dav(srv, "PUT", "/dav/f.txt", headers=[("If", "(<DAV:no-lock>)")], body=b"v2").status == 412
    assert dav(srv, "PUT", "/dav/f.txt", headers=[("If", "(<DAV:no-lock>")], body=b"v2").status == 400
    assert (srv.root / "f.txt").read_bytes() == b"v1"


def test_a_depth_0_lock_on_a_collection_guards_its_members_list_not_their_content(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "c").mkdir()
    (srv.root / "c" / "x.txt").write_bytes(b"x1")
    lk = dav(srv, "LOCK", "/dav/c/", headers=[("Depth", "0")], body=lock_body())
    assert lk.status == 200, lk
    # RFC 4918 §7.5: replacing a member is no change of the collection's membership...
    assert dav(srv, "PUT", "/dav/c/x.txt", body=b"x2").status == 204
    # ...adding one is.
    assert dav(srv, "PUT", "/dav/c/new.txt", body=b"n").status == 423
    assert not (srv.root / "c" / "new.txt").exists()


def test_one_token_of_a_members_shared_locks_is_enough_to_delete_its_collection(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "c").mkdir()
    (srv.root / "c" / "x.txt").write_bytes(b"x")
    first = dav(srv, "LOCK", "/dav/c/x.txt", body=lock_body("shared", "one"))
    second = dav(srv, "LOCK", "/dav/c/x.txt", body=lock_body("shared", "two"))
    assert first.status == 200 and second.status == 200
    assert dav(srv, "DELETE", "/dav/c/").status == 423
    # The token is about the member, so the list is tagged with it (RFC 4918 §10.4.2): untagged,
    # it would be about /dav/c/, which holds no such lock, and fail with 412.
    tagged = f"<{url(srv, '/dav/c/x.txt')}> ({first.header('Lock-Token')})"
    res = dav(srv, "DELETE", "/dav/c/", headers=[("If", tagged)])
    assert res.status == 204, res
    assert not (srv.root / "c").exists()


def test_a_move_onto_another_binding_of_its_source_is_refused_403_and_loses_nothing(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "a").mkdir()
    (srv.root / "a" / "f.txt").write_bytes(b"keep")
    os.symlink("a", srv.root / "l")
    res = dav(srv, "MOVE", "/dav/l/f.txt", headers=[("Destination", url(srv, "/dav/a/f.txt"))])
    assert res.status == 403, res
    assert (srv.root / "a" / "f.txt").read_bytes() == b"keep"
    into = dav(srv, "COPY", "/dav/a/", headers=[("Destination", url(srv, "/dav/l/inner/"))])
    assert into.status == 403, into
    assert not (srv.root / "a" / "inner").exists()


def test_get_of_a_collection_lists_its_members_with_links_that_hold_without_the_slash(serve_dav, transport):
    srv = serve_dav(transport=transport)
    (srv.root / "c" / "sub").mkdir(parents=True)
    (srv.root / "c" / "a b.txt").write_bytes(b"x")
    res = dav(srv, "GET", "/dav/c")
    assert res.status == 200, res
    assert res.header("Content-Type") == "text/html; charset=utf-8"
    assert b'href="/dav/c/a%20b.txt"' in res.body and b'href="/dav/c/sub/"' in res.body
    assert b".teapot-" not in res.body


# -- OPTIONS, 102, names --------------------------------------------------------------------


def test_options_names_the_dav_classes_the_methods_and_ms_author_via(serve_dav, transport):
    srv = serve_dav(transport=transport)
    res = dav(srv, "OPTIONS", "/dav/")
    assert res.status == 204, res
    assert res.header("DAV") == "1, 2"
    assert res.header("MS-Author-Via") == "DAV"
    for m in ("PROPFIND", "PROPPATCH", "COPY", "MOVE", "LOCK", "UNLOCK", "DELETE"):
        assert res.has_token("Allow", m), res


def test_a_long_copy_gets_102_processing_at_the_interval_before_its_201(serve_dav):
    srv = serve_dav(processing_interval="2ms")
    tree = srv.root / "big"
    for d in range(10):
        (tree / f"d{d}").mkdir(parents=True)
        for f in range(30):
            (tree / f"d{d}" / f"f{f}.bin").write_bytes(b"z" * 4096)
    interims, final = dav_with_interims(srv, "COPY", "/dav/big/",
                                        headers=[("Destination", url(srv, "/dav/big2/"))])
    assert final.status == 201, final
    assert interims and all(i.status == 102 for i in interims), interims
    assert len(list((srv.root / "big2").rglob("*.bin"))) == 300


def test_the_servers_own_files_are_out_of_reach_403(serve_dav, transport):
    srv = serve_dav(transport=transport)
    assert dav(srv, "GET", "/dav/.teapot-dav.sqlite3").status == 403
    assert dav(srv, "PUT", "/dav/.teapot-put-x", body=b"x").status == 403
    ms = multistatus(dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "1")]))
    assert list(ms) == ["/dav/"]


def test_an_encoded_backslash_in_a_webdav_path_answers_400_and_closes(serve_dav, transport):
    srv = serve_dav(transport=transport)
    with connect(srv) as c:
        res = c.fetch("PUT", "/dav/a%5Cb", authority=authority(srv), body=b"x")
        assert res.status == 400, res
        if c.h1 is not None:
            c.closes_within(5)
        else:  # only the stream ended: the connection answers the next one
            assert c.fetch("GET", "/dav/", authority=authority(srv)).status == 200
    assert user_files(srv.root) == []


def test_a_read_only_area_refuses_writes_403_and_still_answers_propfind(serve_dav, transport):
    srv = serve_dav(read_only=True, transport=transport)
    (srv.root / "f.txt").write_bytes(b"x")
    assert dav(srv, "PUT", "/dav/f.txt", body=b"y").status == 403
    assert dav(srv, "MKCOL", "/dav/c/").status == 403
    assert multistatus(dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "1")]))
