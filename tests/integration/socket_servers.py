"""Servers written in the tests, for the proxies to talk to: python's http.server with a thread
per connection, and a bare TCP server that hands each connection to a function of the test's
(an upstream that misbehaves on purpose, an echo, a destination that counts bytes)."""

from __future__ import annotations

import http.server
import socket
import socketserver
import threading


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def socket_server(serve_one) -> tuple[int, socket.socket]:
    """A TCP server on a free loopback port whose connections get serve_one(conn), each in a
    thread of its own; returns the port and the listening socket (close it to stop)."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)

    def serve():
        while True:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return lsock.getsockname()[1], lsock


def read_head(conn: socket.socket) -> bytes:
    """What a client sent up to the end of its head (and what came with it); fewer bytes when it
    closed before."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def echo(conn: socket.socket) -> None:
    """Every byte back, until the client's FIN; then our own FIN."""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                conn.shutdown(socket.SHUT_WR)
                return
            conn.sendall(data)
