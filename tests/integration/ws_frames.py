"""WebSocket frames as a client writes them (RFC 6455 §5.2), for the tests that speak to the
server frame by frame: masked with a fresh key, or not, with any RSV bits and, for the cases
that need one, a length field written as given."""

from __future__ import annotations

import os
import struct

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def masked(payload: bytes, key: bytes) -> bytes:
    """payload XOR the key repeated (RFC 6455 §5.3), as one big-integer XOR: fast for MiBs."""
    n = len(payload)
    if n == 0:
        return b""
    keys = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")).to_bytes(n, "big")


def frame(op: int, payload: bytes = b"", fin: bool = True, rsv: int = 0, mask: bool = True,
          length: bytes | None = None) -> bytes:
    """One frame as a client sends it; rsv is the three RSV bits (4 = RSV1); length, when
    given, is the length field as sent (for lengths that are not minimally encoded)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    bit = 0x80 if mask else 0
    n = len(payload)
    if length is not None:
        head += bytes([bit | length[0]]) + length[1:]
    elif n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + masked(payload, key)
