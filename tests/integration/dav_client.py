"""Raw WebDAV requests for the integration tests: one request on a fresh connection, by the
server's transport (transports.py; HTTP/1.1 for a server without one), with the authority its
listener names (Destination and If resource tags must name the same origin: url())."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from transports import Reply, authority, fetch
from wire import Conn, request

DAV = "{DAV:}"


def dav(srv, method: str, path: str, *, headers=None, body: bytes = b"",
        timeout: float = 20.0) -> Reply:
    return fetch(srv, method, path, authority=authority(srv), headers=headers, body=body,
                 content_length=True if method in ("PUT", "POST") else None, timeout=timeout)


def dav_with_interims(srv, method: str, path: str, *, headers=None, body: bytes = b"",
                      timeout: float = 60.0):
    """HTTP/1.1: (the interim responses, the final one)."""
    data = request(method, path, host=f"127.0.0.1:{srv.port}", headers=headers, body=body)
    with Conn(srv.port, timeout=timeout) as c:
        c.send(data)
        return c.read_final_response()


def multistatus(res: Reply) -> dict[str, ET.Element]:
    """The <D:response> elements of a 207, by href."""
    assert res.status == 207, res
    assert res.header("Content-Type") == "application/xml; charset=utf-8", res
    root = ET.fromstring(res.body)
    assert root.tag == DAV + "multistatus"
    return {r.findtext(DAV + "href"): r for r in root.findall(DAV + "response")}


def prop_status(response: ET.Element, name: str) -> int | None:
    """The status of the propstat that holds the property (Clark notation name)."""
    for ps in response.findall(DAV + "propstat"):
        if ps.find(f"{DAV}prop/{name}") is not None:
            return int(re.match(r"HTTP/1\.1 (\d{3})", ps.findtext(DAV + "status")).group(1))
    return None


def prop_value(response: ET.Element, name: str) -> ET.Element | None:
    for ps in response.findall(DAV + "propstat"):
        found = ps.find(f"{DAV}prop/{name}")
        if found is not None:
            return found
    return None


def lock_body(scope: str = "exclusive", owner: str = "tests") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<D:lockinfo xmlns:D="DAV:">'
        f"<D:lockscope><D:{scope}/></D:lockscope><D:locktype><D:write/></D:locktype>"
        f"<D:owner>{owner}</D:owner></D:lockinfo>"
    ).encode()
