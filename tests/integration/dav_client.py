"""Raw WebDAV requests for the integration tests: one request on a fresh connection, with the
Host the server's port names (Destination and If resource tags must name the same authority)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from wire import Conn, Response, request

DAV = "{DAV:}"


def dav(port: int, method: str, path: str, *, headers=None, body: bytes = b"",
        timeout: float = 20.0) -> Response:
    data = request(method, path, host=f"127.0.0.1:{port}", headers=headers, body=body,
                   content_length=True if method in ("PUT", "POST") else None)
    with Conn(port, timeout=timeout) as c:
        c.send(data)
        return c.read_final_response(head=method == "HEAD")[1]


def dav_with_interims(port: int, method: str, path: str, *, headers=None, body: bytes = b"",
                      timeout: float = 60.0):
    data = request(method, path, host=f"127.0.0.1:{port}", headers=headers, body=body)
    with Conn(port, timeout=timeout) as c:
        c.send(data)
        return c.read_final_response()


def url(port: int, path: str) -> str:
    return f"http://127.0.0.1:{port}{path}"


def multistatus(res: Response) -> dict[str, ET.Element]:
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
