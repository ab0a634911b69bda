"""An upstream whose connection fails (a TCP reset) in the middle of content that only its
close would end: the proxy cuts the response to the client (chunked, without its last chunk,
then the close), so that the client can tell it is incomplete (RFC 9112 §8), where a clean
close ends the same content whole.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, build_docroot, require
from socket_servers import read_head, socket_server
from wire import Conn, request


def close_delimited(reset: bool):
    def serve_one(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome of it")
        if reset:  # SO_LINGER 0: the close is an RST
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    return serve_one


@pytest.fixture
def proxy(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")
    made = {name: socket_server(close_delimited(name == "reset")) for name in ("reset", "fin")}
    root = build_docroot(tmp_path / "www")
    routes = "".join(f'[[sites.proxy]]\nprefix = "/{name}/"\nupstreams = ["127.0.0.1:{port}"]\n'
                     for name, (port, _) in made.items())
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nlisten = ["127.0.0.1:1"]\nworkers = 2\ndrain_timeout = "1s"\n'
                      f'[[sites]]\ndefault = true\nroot = "{root}"\n' + routes)
    yield start_server([TEAPOT_BIN, "serve", "--config", config], "teapot-proxy-resets")
    for _, lsock in made.values():
        lsock.close()


def test_content_ended_by_a_clean_close_arrives_whole(proxy):
    with Conn(proxy.port) as c:
        c.send(request("GET", "/fin/x"))
        r = c.read_final_response()[1]
    assert r.status == 200, r
    assert r.body == b"some of it"


def test_content_broken_by_a_reset_is_cut_for_the_client(proxy):
    with Conn(proxy.port) as c:
        c.send(request("GET", "/reset/x"))
        data = c.closes_within(10)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), data
    assert b"\r\nTransfer-Encoding: chunked" in head, head
    assert body.startswith(b"a\r\nsome of it\r\n"), body
    assert not body.endswith(b"0\r\n\r\n"), body  # no last chunk: the client can tell
    assert proxy.logged("the upstream's connection failed before the end of its content")
