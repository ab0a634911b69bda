"""The README shows the sample configuration: its TOML block must be examples/teapot.toml as it
is, so that what a reader copies is what `teapot check` passes in
test_config_check.py::test_the_sample_config_passes_the_check (and here)."""

from __future__ import annotations

import re

from conftest import REPO, run_cli

SAMPLE = REPO / "examples" / "teapot.toml"
README = REPO / "README.md"


def readme_toml_blocks() -> list[str]:
    return re.findall(r"^```toml\n(.*?)^```$", README.read_text(), flags=re.S | re.M)


def test_the_readme_shows_the_sample_config_byte_for_byte():
    blocks = readme_toml_blocks()
    assert len(blocks) == 1, f"expected one ```toml block in README.md, found {len(blocks)}"
    assert blocks[0] == SAMPLE.read_text(), (
        "README.md's ```toml block differs from examples/teapot.toml: copy the file into it"
    )


def test_the_sample_the_readme_shows_passes_teapot_check():
    p = run_cli("check", str(SAMPLE))
    assert p.returncode == 0, p.stderr.decode()
