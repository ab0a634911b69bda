"""`cmake --install` makes a prefix that a program can build against, as an embedder would:
with find_package(teapot CONFIG) and with pkg-config. The build tree is the one TEAPOT_BIN
lives in (build/debug by default), installed into a temporary prefix; nothing is compiled again
but the consumer (tests/install/). A sanitized build's package carries the sanitizers' link
flags, so the consumer links without being told about them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, TEAPOT_BIN

BUILD_DIR = TEAPOT_BIN.parent
CONSUMER = REPO / "tests" / "install"
README = REPO / "README.md"
TIMEOUT = 600  # seconds for one step: a consumer build on a busy two-core machine


def run(argv: list, **kwargs) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=TIMEOUT,
        stdin=subprocess.DEVNULL, **kwargs,
    )
    assert p.returncode == 0, f"{shlex.join(p.args)}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


def cache_value(name: str) -> str:
    m = re.search(rf"^{name}:[A-Z]+=(.*)$", (BUILD_DIR / "CMakeCache.txt").read_text(), re.M)
    assert m, f"{name} is not in {BUILD_DIR}/CMakeCache.txt"
    return m.group(1)


@pytest.fixture(scope="module")
def prefix(tmp_path_factory) -> Path:
    if not (BUILD_DIR / "CMakeCache.txt").is_file():
        pytest.skip(f"{TEAPOT_BIN} is not in a CMake build tree: nothing to install from")
    root = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", BUILD_DIR, "--prefix", root])
    return root


def readme_cpp() -> str:
    blocks = re.findall(r"^```cpp\n(.*?)^```$", README.read_text(), flags=re.S | re.M)
    assert len(blocks) == 1, f"expected one ```cpp block in README.md, found {len(blocks)}"
    return blocks[0]


@pytest.fixture(scope="module")
def cmake_consumer(prefix, tmp_path_factory) -> Path:
    """tests/install/hello.cpp built with find_package(teapot CONFIG); the build tree also
    holds the README's example, built by its own test."""
    work = tmp_path_factory.mktemp("consumer-cmake")
    snippet = work / "readme_snippet.cpp"
    snippet.write_text(readme_cpp())
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    run(["cmake", "-S", CONSUMER, "-B", work / "build", *generator,
         f"-DCMAKE_CXX_COMPILER={cache_value('CMAKE_CXX_COMPILER')}",
         f"-DCMAKE_PREFIX_PATH={prefix}", f"-DREADME_SNIPPET={snippet}"])
    run(["cmake", "--build", work / "build", "--target", "hello"])
    return work / "build"


@pytest.fixture(scope="module")
def pkg_config_consumer(prefix, tmp_path_factory) -> Path:
    """tests/install/hello.cpp built with one compiler command and `pkg-config --cflags --libs`."""
    work = tmp_path_factory.mktemp("consumer-pkg-config")
    flags = pkg_config(prefix, "--cflags", "--libs", "teapot")
    exe = work / "hello"
    run([cache_value("CMAKE_CXX_COMPILER"), "-std=c++20", "-Wall", "-Wextra", "-Werror",
         CONSUMER / "hello.cpp", "-o", exe, *shlex.split(flags)])
    return exe


def pkg_config(prefix: Path, *args: str) -> str:
    pc_dirs = sorted({str(p.parent) for p in prefix.rglob("teapot.pc")})
    assert pc_dirs, f"no teapot.pc under {prefix}"
    env = dict(os.environ, PKG_CONFIG_PATH=":".join(pc_dirs))
    return run(["pkg-config", *args], env=env).stdout.strip()


def get_hello(port: int) -> str:
    p = run(["curl", "-sS", "-i", "--max-time", "10", f"http://127.0.0.1:{port}/hello"])
    return p.stdout.replace("\r\n", "\n")


def test_the_install_holds_the_command_the_headers_the_library_and_both_package_files(prefix):
    installed = {str(p.relative_to(prefix)) for p in prefix.rglob("*") if p.is_file()}
    libraries = ("libteapot.a", "libteapot.so")
    libdirs = {str(Path(p).parent) for p in installed if Path(p).name in libraries}
    assert len(libdirs) == 1, f"libteapot: {sorted(installed)}"
    libdir = libdirs.pop()
    expected = ["bin/teapot", "include/teapot/server.h", "include/teapot/http/status.h",
                "include/teapot/handlers/static_files.h", f"{libdir}/pkgconfig/teapot.pc"]
    expected += [f"{libdir}/cmake/teapot/teapot-{name}.cmake"
                 for name in ("config", "config-version", "targets")]
    for path in expected:
        assert path in installed, f"{path} not installed; the prefix holds {sorted(installed)}"
    assert not any(p.startswith("include/") and not p.startswith("include/teapot/")
                   for p in installed), sorted(installed)
    p = run([prefix / "bin" / "teapot", "--version"])
    assert p.stdout.startswith("teapot "), p.stdout


def test_the_install_holds_the_man_pages_and_the_systemd_units(prefix):
    pages = {"share/man/man1/teapot.1": REPO / "man" / "teapot.1",
             "share/man/man5/teapot.toml.5": REPO / "man" / "teapot.toml.5"}
    units = {f"lib/systemd/system/{name}": REPO / "deploy" / "systemd" / name
             for name in ("teapot.service", "teapot.socket", "teapot-https.socket")}
    for path in {**pages, **units}:
        assert (prefix / path).is_file(), f"{path} not installed"
    for path, source in pages.items():
        assert (prefix / path).read_bytes() == source.read_bytes(), f"{path} differs from {source}"
    for name in ("teapot.socket", "teapot-https.socket"):
        socket_unit = f"lib/systemd/system/{name}"
        assert (prefix / socket_unit).read_bytes() == units[socket_unit].read_bytes()


def test_the_installed_service_runs_the_command_of_its_own_prefix(prefix):
    installed = prefix / "lib" / "systemd" / "system" / "teapot.service"
    source = REPO / "deploy" / "systemd" / "teapot.service"
    command = prefix / "bin" / "teapot"
    lines = installed.read_text().splitlines()
    execs = {k: v for k, _, v in (line.partition("=") for line in lines)
             if k in ("ExecStart", "ExecStartPre")}
    assert execs == {"ExecStartPre": f"{command} check /etc/teapot/teapot.toml",
                     "ExecStart": f"{command} serve --config /etc/teapot/teapot.toml"}, execs
    # Nothing else of the unit changes: deploy/systemd/teapot.service is its template.
    expected = source.read_text().replace("/usr/local/bin/teapot", str(command))
    assert installed.read_text() == expected


def test_the_packages_point_only_at_the_installed_include_directory(prefix):
    flags = shlex.split(pkg_config(prefix, "--cflags-only-I", "teapot"))
    assert [Path(f.removeprefix("-I")).resolve() for f in flags] == [prefix / "include"], flags
    for f in prefix.rglob("teapot*.cmake"):
        text = f.read_text()
        assert str(REPO) not in text and str(BUILD_DIR) not in text, (
            f"{f} names the source or build tree:\n{text}"
        )
    targets = next(prefix.rglob("teapot-targets.cmake")).read_text()
    assert 'INTERFACE_INCLUDE_DIRECTORIES "${_IMPORT_PREFIX}/include"' in targets, targets
    assert "cxx_std_20" in targets, targets


def test_a_program_built_with_find_package_serves_its_route(cmake_consumer, start_server):
    server = start_server([cmake_consumer / "hello"], "consumer-cmake")
    response = get_hello(server.port)
    assert response.startswith("HTTP/1.1 200 OK\n"), response
    assert response.endswith("\n\nHello from an installed teapot\n"), response


def test_a_program_built_with_pkg_config_serves_its_route(pkg_config_consumer, start_server):
    server = start_server([pkg_config_consumer], "consumer-pkg-config")
    response = get_hello(server.port)
    assert response.startswith("HTTP/1.1 200 OK\n"), response
    assert response.endswith("\n\nHello from an installed teapot\n"), response


def test_the_readme_example_builds_against_the_install_without_a_warning(cmake_consumer):
    # With -Wall -Wextra -Werror: a designated initializer that leaves options out must not warn.
    run(["cmake", "--build", cmake_consumer, "--target", "readme_snippet"])
    exe = cmake_consumer / "readme_snippet"
    assert exe.is_file() and os.access(exe, os.X_OK), f"{exe} was not built"
