"""WebDAV uploads lose nothing: concurrent writers of one file, clients that leave in the
middle, a server killed during uploads, a full file system; and XML bodies built to hurt the
parser are refused while the server stays up."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import rss_kib
from dav_client import dav
from wire import Conn, request


def temporaries(root: Path) -> list[str]:
    return [str(p) for p in root.rglob(".teapot-put-*")]


def wait_for(condition, seconds: float = 10.0) -> bool:
    """Polls a condition the server reaches on its own (a cleanup on its pool)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_200_concurrent_puts_of_one_path_leave_exactly_one_upload_whole(serve_dav):
    srv = serve_dav()
    bodies = [bytes([i]) * (50_000 + i) for i in range(200)]
    statuses: list[int] = []
    lock = threading.Lock()

    def client(first: int) -> None:
        for i in range(first, 200, 20):
            res = dav(srv, "PUT", "/dav/one.bin", body=bodies[i])
            with lock:
                statuses.append(res.status)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The first rename creates the file; every later one replaces it (checked under one lock).
    assert statuses.count(201) == 1 and statuses.count(204) == 199, statuses
    assert (srv.root / "one.bin").read_bytes() in bodies
    assert temporaries(srv.root) == []


def test_a_client_that_leaves_mid_upload_leaves_the_old_file_and_no_temporary(serve_dav):
    srv = serve_dav()
    (srv.root / "f.bin").write_bytes(b"old" * 1000)
    with Conn(srv.port) as c:
        head = request("PUT", "/dav/f.bin", host=f"127.0.0.1:{srv.port}",
                       headers=[("Content-Length", str(10_000_000))])
        c.send(head + b"x" * 1_000_000)
        time.sleep(0.2)  # some of the content reaches the temporary file
    assert wait_for(lambda: temporaries(srv.root) == []), temporaries(srv.root)
    assert (srv.root / "f.bin").read_bytes() == b"old" * 1000


def test_a_server_killed_during_100_uploads_leaves_each_file_old_or_new_and_no_temporary_after_restart(serve_dav, tmp_path):
    root = tmp_path / "killed"
    root.mkdir()
    old = {i: bytes([65 + i % 26]) * 200_000 for i in range(100)}
    new = {i: bytes([97 + i % 26]) * 300_000 for i in range(100)}
    for i, b in old.items():
        (root / f"f{i}.bin").write_bytes(b)
    srv = serve_dav(root=root)
    conns = [Conn(srv.port, timeout=20) for _ in range(100)]
    try:
        # Every upload starts; half of them finish before the kill, half are cut in the middle.
        for i, c in enumerate(conns):
            c.send(request("PUT", f"/dav/f{i}.bin", host=f"127.0.0.1:{srv.port}",
                           headers=[("Content-Length", str(len(new[i])))]) + new[i][:150_000])
        for i in range(0, 100, 2):
            conns[i].send(new[i][150_000:])
        for i in range(0, 100, 2):
            assert conns[i].read_response().status == 204
        assert wait_for(lambda: len(temporaries(root)) == 50), temporaries(root)
        srv.proc.kill()
        srv.proc.wait()
        srv.returncode = 0  # killed on purpose: not a failed stop
    finally:
        for c in conns:
            c.close()
    for i in range(100):
        assert (root / f"f{i}.bin").read_bytes() == (new[i] if i % 2 == 0 else old[i]), i
    again = serve_dav(root=root)
    assert temporaries(root) == []
    assert dav(again, "GET", "/dav/f1.bin").body == old[1]


def test_xml_bodies_built_to_hurt_are_refused_and_the_server_stays_up(serve_dav):
    srv = serve_dav()
    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
              b'<D:propfind xmlns:D="DAV:"><D:prop><D:x>&c;</D:x></D:prop></D:propfind>')
    external = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<D:propfind xmlns:D="DAV:"><D:prop><D:x>&e;</D:x></D:prop></D:propfind>')
    deep = b'<D:propfind xmlns:D="DAV:">' + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</D:propfind>"
    for body in (laughs, external, deep):
        res = dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "0")], body=body)
        assert res.status == 400, res
        assert b"root:" not in res.body
    huge = b'<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' + b" " * (10 << 20)
    assert dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "0")], body=huge).status == 413
    assert dav(srv, "PROPFIND", "/dav/", headers=[("Depth", "0")]).status == 207


def test_a_256_mib_put_grows_the_servers_memory_by_less_than_32_mib(serve_dav):
    srv = serve_dav(body_max="1GiB", workers=1)
    size = 256 << 20
    before = rss_kib(srv.proc.pid)
    with Conn(srv.port, timeout=120) as c:
        c.send(request("PUT", "/dav/big.bin", host=f"127.0.0.1:{srv.port}",
                       headers=[("Content-Length", str(size))]))
        block = b"\xab" * (1 << 20)
        peak = before
        for i in range(256):
            c.send(block)
            if i % 16 == 0:
                peak = max(peak, rss_kib(srv.proc.pid))
        res = c.read_response()
    assert res.status == 201, res
    peak = max(peak, rss_kib(srv.proc.pid))
    assert (srv.root / "big.bin").stat().st_size == size
    assert peak - before < 32 * 1024, (before, peak)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny tmpfs needs root")
def test_a_put_into_a_full_file_system_answers_507_and_leaves_nothing_partial(serve_dav, tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        srv = serve_dav(root=mount)
        (mount / "keep.bin").write_bytes(b"k" * 1000)
        res = dav(srv, "PUT", "/dav/keep.bin", body=b"n" * 2_000_000)
        assert res.status == 507, res
        assert (mount / "keep.bin").read_bytes() == b"k" * 1000
        assert wait_for(lambda: temporaries(mount) == []), temporaries(mount)
        srv.stop()
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_copy_and_move_onto_another_file_system_inside_the_area_carry_every_byte(serve_dav, tmp_path):
    root = tmp_path / "two-fs"
    (root / "mnt").mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(root / "mnt")],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        body = bytes(range(256)) * 4000
        (root / "f.bin").write_bytes(body)
        (root / "g.bin").write_bytes(body[::-1])
        srv = serve_dav(root=root)
        copy = dav(srv, "COPY", "/dav/f.bin", headers=[("Destination", f"http://127.0.0.1:{srv.port}/dav/mnt/f.bin")])
        assert copy.status == 201, copy
        assert (root / "mnt" / "f.bin").read_bytes() == body
        # rename(2) cannot cross file systems: the move is a copy, then a delete.
        move = dav(srv, "MOVE", "/dav/g.bin", headers=[("Destination", f"http://127.0.0.1:{srv.port}/dav/mnt/g.bin")])
        assert move.status == 201, move
        assert (root / "mnt" / "g.bin").read_bytes() == body[::-1]
        assert not (root / "g.bin").exists()
        srv.stop()
    finally:
        subprocess.run(["umount", "-l", str(root / "mnt")], capture_output=True)
