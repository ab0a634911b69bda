"""A real browser reads teapot's pages: headless Chromium (Debian package chromium) renders the
French 404 page, and its text must hold "é" as such, not "Ã©" (what UTF-8 read as Windows-1252
looks like: the page's charset was not declared or not believed).

Chromium's --lang does not reach the Accept-Language of a headless browser; --accept-lang does.
Skipped only where chromium is not installed; deps/debian-packages.txt lists it for CI.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

BROWSER_TIMEOUT = 30.0  # seconds; a run takes about one on a warm machine


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    pytest.skip("chromium is not installed (Debian package chromium)")


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
