"""A real browser reads teapot's pages: headless Chromium (Debian package chromium) renders the
French 404 page, and its text must hold "é" as such, not "Ã©" (what UTF-8 read as Windows-1252
looks like: the page's charset was not declared or not believed).

Chromium's --lang does not reach the Accept-Language of a headless browser; --accept-lang does.
Skipped only where chromium is not installed; deps/debian-packages.txt lists it for CI.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, chromium

BROWSER_TIMEOUT = 30.0  # seconds; a run takes about one on a warm machine


def rendered_dom(url: str, profile: Path, *flags: str) -> str:
    p = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *flags,
            "--dump-dom",
            url,
        ],
        capture_output=True,
        timeout=BROWSER_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    return p.stdout.decode("utf-8")


def test_chromium_renders_the_french_404_with_its_accents_intact(teapot, tmp_path: Path):
    dom = rendered_dom(
        f"http://127.0.0.1:{teapot.port}/missing", tmp_path / "profile", "--accept-lang=fr"
    )
    assert '<html lang="fr">' in dom, dom
    assert "404 Introuvable" in dom, dom
    assert "Vérifiez" in dom, dom
    assert "é" in dom and "Ã©" not in dom, dom


def test_chromium_shows_a_readable_listing_and_a_screenshot_of_it_is_kept(start_server, tmp_path):
    root = tmp_path / "files"
    (root / "docs").mkdir(parents=True)
    (root / "notes café.txt").write_bytes(b"x" * 1234)
    (root / "video.bin").write_bytes(b"v" * (5 * 1024 * 1024))
    srv = start_server([TEAPOT_BIN, "serve", str(root), "--listing"], "listing")
    url = f"http://127.0.0.1:{srv.port}/?sort=size&order=desc"
    dom = rendered_dom(url, tmp_path / "profile")
    assert "Index of /" in dom and "notes café.txt" in dom, dom
    assert 'title="5242880 bytes">5.0 MiB</td>' in dom, dom
    assert 'aria-sort="descending"' in dom, dom
    # The picture a person would see, kept beside the test's other output for a look.
    shot = tmp_path / "listing.png"
    p = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        f"--user-data-dir={tmp_path / 'profile2'}", "--window-size=900,500",
                        f"--screenshot={shot}", url],
                       capture_output=True, timeout=BROWSER_TIMEOUT, stdin=subprocess.DEVNULL)
    assert p.returncode == 0 and shot.is_file() and shot.stat().st_size > 1000, p.stderr[-2000:]
    print(f"listing screenshot: {shot}")
