"""`teapot check FILE`: a valid file prints "FILE: ok" and exits 0; a broken one prints each
mistake as FILE:LINE:COLUMN: message on stderr and exits 2. Skipped while the CLI has no
`check` subcommand."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, TEAPOT_BIN, run_cli


def has_check_subcommand() -> bool:
    try:
        p = subprocess.run(
            [str(TEAPOT_BIN), "--help"], capture_output=True, timeout=20, stdin=subprocess.DEVNULL
        )
    except OSError:
        return False
    return re.search(r"^\s*check\b", p.stdout.decode(errors="replace"), re.MULTILINE) is not None


pytestmark = pytest.mark.skipif(
    not has_check_subcommand(), reason="teapot --help lists no `check` subcommand yet"
)

SITE = '[[sites]]\ndefault = true\n'

# (name, file text, line, column, message)
BROKEN = [
    ("unknown key", 'sever = {}\n' + SITE, 1, 1, "sever: unknown key; did you mean 'server'?"),
    ("wrong type", '[server]\nworkers = "two"\n' + SITE, 2, 11,
     "server.workers: expected an integer, found a string"),
    ("redirect 305", SITE + '[[sites.rules]]\nprefix = "/a/"\nkind = "redirect"\nto = "/b/$1"\n'
     'status = 305\n', 7, 10,
     "sites[0].rules[0].status: 305 is never sent (RFC 9110 §15.4.6: Use Proxy is deprecated); "
     "choose 307 or 308"),
    ("return 306", SITE + '[[sites.rules]]\nexact = "/a"\nkind = "return"\nstatus = 306\n', 6, 10,
     "sites[0].rules[0].status: 306 is never sent (RFC 9110 §15.4.7: reserved and unused); "
     "choose 307 or 308"),
    ("return 1xx", SITE + '[[sites.rules]]\nexact = "/a"\nkind = "return"\nstatus = 100\n', 6, 10,
     "sites[0].rules[0].status: 100 is an interim (1xx) status, never a final one; for 103 use "
     "[[sites.early_hints]]"),
    ("status out of range", SITE + '[[sites.rules]]\nexact = "/a"\nkind = "return"\nstatus = 999\n',
     6, 10,
     "sites[0].rules[0].status: 999 is outside 100-599, the range of HTTP status codes "
     "(RFC 9110 §15)"),
    ("redirect with 200", SITE + '[[sites.rules]]\nexact = "/a"\nkind = "redirect"\nto = "/b"\n'
     'status = 200\n', 7, 10,
     "sites[0].rules[0].status: 200 is not a redirect status; expected 301, 302, 303, 307 or 308"),
    ("bad size", '[server.limits]\nbody = "1.5MiB"\n' + SITE, 2, 8,
     "server.limits.body: '1.5MiB' is not a size; write bytes or 8KiB, 1MiB, 2GiB"),
    ("send buffer below 4KiB", '[server]\nsend_buffer = 4095\n' + SITE, 2, 15,
     'server.send_buffer: 4095 bytes is out of range; expected "auto" (or 0) or 4096 (4KiB) to '
     '536870912 (512MiB)'),
    ("send buffer above 512MiB", '[server]\nsend_buffer = 536870913\n' + SITE, 2, 15,
     'server.send_buffer: 536870913 bytes is out of range; expected "auto" (or 0) or 4096 (4KiB) '
     'to 536870912 (512MiB)'),
    ("bad duration", '[server.limits]\nheader_timeout = "2 s"\n' + SITE, 2, 18,
     "server.limits.header_timeout: '2 s' is not a duration; write seconds or 500ms, 2s, 1m, 1h"),
    ("per-address cap above the cap",
     '[server]\nmax_connections = 100\nmax_connections_per_address = 101\n' + SITE, 3, 31,
     "server.max_connections_per_address: is larger than max_connections (100), so it never "
     "applies"),
    ("negative per-address cap", '[server]\nmax_connections_per_address = -1\n' + SITE, 2, 31,
     "server.max_connections_per_address: -1 is out of range; expected 0 to 10000000"),
    ("zero chunk extensions", '[server.limits]\nchunk_extensions = 0\n' + SITE, 2, 20,
     "server.limits.chunk_extensions: must be greater than zero"),
    ("body min rate that is no size", '[server.limits]\nbody_min_rate = "fast"\n' + SITE, 2, 17,
     "server.limits.body_min_rate: 'fast' is not a size; write bytes or 8KiB, 1MiB, 2GiB"),
    ("duplicate host",
     '[[sites]]\nhosts = ["a.example"]\n[[sites]]\nhosts = ["A.EXAMPLE"]\n', 4, 10,
     "sites[1].hosts[0]: host 'a.example' is already claimed by sites[0]; each host name belongs "
     "to one site"),
    ("bad CIDR", SITE + '[sites.auth]\nallow = ["10.1.2.3/8"]\n', 4, 10,
     "sites[0].auth.allow[0]: '10.1.2.3/8' has bits set past its prefix; did you mean "
     "'10.0.0.0/8'?"),
    ("missing root", SITE + 'root = "nowhere"\n', 3, 8,
     "sites[0].root: '{dir}/nowhere' does not exist"),
    ("missing htpasswd", SITE + '[sites.auth]\nhtpasswd = "nobody"\n', 4, 12,
     "sites[0].auth.htpasswd: '{dir}/nobody' does not exist"),
    ("missing error page", SITE + '[sites.error_pages]\nfiles = { "404" = "404.html" }\n', 4, 19,
     "sites[0].error_pages.files.404: '{dir}/404.html' does not exist"),
    ("strict hosts with a default", '[server]\nstrict_hosts = true\n' + SITE, 4, 11,
     "sites[0].default: a default site contradicts server.strict_hosts = true, which answers "
     "unclaimed hosts with 421; remove one of them"),
    ("WebDAV area without a prefix", SITE + '[[sites.webdav]]\nroot = "."\n', 3, 1,
     "sites[0].webdav[0]: 'prefix' is required (the URL path the area answers below, such as "
     '"/dav/")'),
    ("WebDAV prefix without a trailing slash",
     SITE + '[[sites.webdav]]\nprefix = "/dav"\nroot = "."\n', 4, 10,
     "sites[0].webdav[0].prefix: '/dav' does not end with '/'; write \"/dav/\" (\"/\" for the "
     "whole site)"),
    ("WebDAV root missing", SITE + '[[sites.webdav]]\nprefix = "/dav/"\nroot = "nowhere"\n', 5, 8,
     "sites[0].webdav[0].root: '{dir}/nowhere' does not exist"),
    ("WebDAV quota that is no size",
     SITE + '[[sites.webdav]]\nprefix = "/dav/"\nroot = "."\nquota = "lots"\n', 6, 9,
     "sites[0].webdav[0].quota: 'lots' is not a size; write bytes or 8KiB, 1MiB, 2GiB"),
    ("WebDAV unknown key",
     SITE + '[[sites.webdav]]\nprefix = "/dav/"\nroot = "."\nreadonly = true\n', 6, 1,
     "sites[0].webdav[0].readonly: unknown key; did you mean 'read_only'?"),
    ("WebDAV prefix twice",
     SITE + '[[sites.webdav]]\nprefix = "/dav/"\nroot = "."\n'
     '[[sites.webdav]]\nprefix = "/dav/"\nroot = "."\n', 7, 10,
     "sites[0].webdav[1].prefix: '/dav/' is the prefix of sites[0].webdav[0] already; each area "
     "has a prefix of its own"),
    ("WebDAV database inside the root under a name clients can reach",
     SITE + '[[sites.webdav]]\nprefix = "/dav/"\nroot = "."\ndatabase = "dav.db"\n', 6, 12,
     "sites[0].webdav[0].database: '{dir}/dav.db' is inside the area's root: name it .teapot-*, "
     "which no request may reach, or keep it outside"),
    ("TOML syntax", '[[sites]\n', 1, 9, None),
]


@pytest.mark.parametrize("name,text,line,column,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_config_is_refused_with_its_position_and_exit_code_2(
    tmp_path: Path, name, text, line, column, message
):
    config = tmp_path / "teapot.toml"
    config.write_text(text)
    p = run_cli("check", str(config))
    assert p.returncode == 2, p.stderr
    assert p.stdout == b""
    lines = p.stderr.decode().splitlines()
    prefix = f"{config}:{line}:{column}: "
    assert len(lines) == 1 and lines[0].startswith(prefix), lines
    if message is not None:
        assert lines[0] == prefix + message.replace("{dir}", str(tmp_path))


def test_the_sample_config_passes_the_check():
    sample = REPO / "examples" / "teapot.toml"
    p = run_cli("check", str(sample))
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == f"{sample}: ok\n"


def test_every_mistake_of_a_file_is_printed_on_its_own_line(tmp_path: Path):
    config = tmp_path / "teapot.toml"
    config.write_text('[server]\nworkers = "x"\nwrokers = 2\n' + SITE + 'root = "none"\n')
    p = run_cli("check", str(config))
    assert p.returncode == 2
    positions = [line.split(": ")[0] for line in p.stderr.decode().splitlines()]
    assert positions == [f"{config}:2:11", f"{config}:3:1", f"{config}:6:8"]


@pytest.mark.parametrize("value", ['"auto"', "0", "4096", '"4KiB"', '"512MiB"', "536870912"])
def test_a_send_buffer_at_the_limits_passes_the_check(tmp_path: Path, value):
    config = tmp_path / "teapot.toml"
    config.write_text(f"[server]\nsend_buffer = {value}\n" + SITE)
    p = run_cli("check", str(config))
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == f"{config}: ok\n"


@pytest.mark.parametrize(
    "text",
    [
        "[server]\nmax_connections = 100\nmax_connections_per_address = 100\n",
        "[server]\nmax_connections_per_address = 5\n",  # without a server-wide cap
        '[server.limits]\nchunk_extensions = 1\nbody_min_rate = 0\n',  # 0: no minimum rate
    ],
    ids=["per_address_at_the_cap", "per_address_alone", "smallest_extensions_no_rate"],
)
def test_the_fair_limits_at_their_bounds_pass_the_check(tmp_path: Path, text):
    config = tmp_path / "teapot.toml"
    config.write_text(text + SITE)
    p = run_cli("check", str(config))
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == f"{config}: ok\n"


def test_a_missing_file_is_an_error(tmp_path: Path):
    p = run_cli("check", str(tmp_path / "absent.toml"))
    assert p.returncode == 2
    assert "absent.toml: cannot be read" in p.stderr.decode()
