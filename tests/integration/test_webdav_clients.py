"""WebDAV judged by programs nobody on the team wrote: litmus (Debian's `litmus`, all five
suites), cadaver (scripted) and rclone (a WebDAV remote), each against a freshly started
teapot with a WebDAV area at /dav/.

litmus passes when no test FAILs and every WARNING is one docs/webdav.md lists with its
reason (the list below mirrors that page)."""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

# The warnings litmus may print that docs/webdav.md explains; any other warning fails the test.
EXPLAINED_WARNINGS: list[str] = []


def run(argv: list[str], *, cwd: Path, timeout: float = 300.0, stdin: str | None = None,
        env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)


def need(program: str) -> str:
    exe = shutil.which(program)
    if exe is None:
        pytest.fail(f"{program} is not installed (deps/debian-packages.txt lists it)")
    return exe


def test_litmus_passes_every_suite_with_no_unexplained_warning(serve_dav, tmp_path):
    litmus = need("litmus")
    srv = serve_dav()
    out = run([litmus, "-k", srv.url("/dav/")], cwd=tmp_path, timeout=600)
    text = out.stdout + out.stderr
    summaries = re.findall(r"<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed", text)
    assert [s[0] for s in summaries] == ["basic", "copymove", "props", "locks", "http"], text
    failures = [line for line in text.splitlines() if re.search(r"\bFAIL\b", line)]
    assert failures == [], "\n".join(failures) + "\n\n" + text[-4000:]
    assert all(s[3] == "0" for s in summaries), text
    warnings = [line.strip() for line in text.splitlines() if "WARNING:" in line]
    unexplained = [w for w in warnings if not any(e in w for e in EXPLAINED_WARNINGS)]
    assert unexplained == [], "\n".join(unexplained)


def test_cadaver_puts_gets_copies_moves_locks_and_deletes(serve_dav, tmp_path):
    cadaver = need("cadaver")
    srv = serve_dav()
    work = tmp_path / "cadaver"
    work.mkdir()
    (work / "local.txt").write_bytes(b"from cadaver\n")
    script = "\n".join([
        "mkcol coll",
        "put local.txt coll/a.txt",
        "copy coll/a.txt coll/b.txt",
        "move coll/b.txt coll/c.txt",
        "propset coll/a.txt colour teal",
        "propget coll/a.txt colour",
        "lock coll/a.txt",
        "unlock coll/a.txt",
        "get coll/c.txt fetched.txt",
        "delete coll/a.txt",
        "quit",
    ]) + "\n"
    # cadaver reads its commands from stdin; HOME keeps it from reading a user's .cadaverrc.
    out = run([cadaver, srv.url("/dav/")], cwd=work, stdin=script,
              env={**os.environ, "HOME": str(work)}, timeout=60)
    text = out.stdout + out.stderr
    assert (work / "fetched.txt").read_bytes() == b"from cadaver\n", text
    assert not (srv.root / "coll" / "a.txt").exists(), text
    assert (srv.root / "coll" / "c.txt").read_bytes() == b"from cadaver\n", text
    assert not (srv.root / "coll" / "b.txt").exists(), text
    assert "teal" in text, text
    assert "failed" not in text.lower(), text


def make_tree(root: Path, files: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    sizes = [0, 1, 100, 4096, 65536, 300_000]
    for i in range(files):
        d = root / f"d{i % 12}" / f"e{i % 5}"
        d.mkdir(parents=True, exist_ok=True)
        size = sizes[i % len(sizes)] if i % 50 else 1_500_000
        (d / f"f{i}.bin").write_bytes(rnd.randbytes(size))


def digest_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_rclone_syncs_500_files_up_and_back_byte_identical(serve_dav, tmp_path):
    rclone = need("rclone")
    srv = serve_dav(body_max="16MiB")
    src = tmp_path / "src"
    make_tree(src, 500)
    back = tmp_path / "back"
    conf = tmp_path / "rclone.conf"
    conf.write_text(f"[teapot]\ntype = webdav\nurl = {srv.url('/dav/')}\nvendor = other\n")
    base = [rclone, "--config", str(conf), "--transfers", "8", "--checkers", "8"]
    up = run(base + ["sync", str(src), "teapot:tree"], cwd=tmp_path)
    assert up.returncode == 0, up.stderr[-3000:]
    down = run(base + ["sync", "teapot:tree", str(back)], cwd=tmp_path)
    assert down.returncode == 0, down.stderr[-3000:]
    assert digest_tree(back) == digest_tree(src)
    assert digest_tree(srv.root / "tree") == digest_tree(src)
    check = run(base + ["check", str(src), "teapot:tree"], cwd=tmp_path)
    assert check.returncode == 0, check.stderr[-3000:]
