"""Fixtures that run the real teapot binary (and the example programs) on a free loopback port.

Where the binaries are:
  TEAPOT_BIN           the teapot CLI (default <repo>/build/debug/teapot)
  TEAPOT_EXAMPLES_DIR  example_hello, example_jobs, example_upload, example_stream, example_chat
                       (default <repo>/build/debug/examples)
  TEAPOT_SHARED_DIR    the shared material, attack corpus included (default <repo>/../shared)

Every server a test starts is stopped by its own PID with SIGTERM at the end of the test; the
test then fails if the server did not exit with status 0, or if its stderr holds an
AddressSanitizer, UBSan or ThreadSanitizer report.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
TEAPOT_BIN = Path(os.environ.get("TEAPOT_BIN", REPO / "build" / "debug" / "teapot"))
EXAMPLES_DIR = Path(os.environ.get("TEAPOT_EXAMPLES_DIR", REPO / "build" / "debug" / "examples"))
SHARED_DIR = Path(os.environ.get("TEAPOT_SHARED_DIR", REPO.parent / "shared"))

SANITIZER_MARKERS = (
    "AddressSanitizer",
    "LeakSanitizer",
    "UndefinedBehaviorSanitizer",
    "ThreadSanitizer",
    "runtime error",
)
START_TIMEOUT = 15.0  # seconds for a sanitizer build to accept its first connection
STOP_TIMEOUT = 8.0  # seconds after SIGTERM before SIGKILL


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sanitizer_report(text: str) -> str | None:
    for marker in SANITIZER_MARKERS:
        i = text.find(marker)
        if i >= 0:
            return text[max(0, i - 200) : i + 1500]
    return None


def require(path: Path, what: str) -> None:
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"{what} not found at {path}: build it, or set the environment variable")


class Server:
    """One server process, its port and its logs."""

    def __init__(self, argv_without_listen: list[str], log_dir: Path, name: str):
        self.base_argv = argv_without_listen
        self.log_dir = log_dir
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.returncode: int | None = None
        self.killed = False

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / f"{self.name}.stderr"

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def logged(self, text: str, timeout: float = 10.0) -> bool:
        """Whether the error log (stderr) says text within timeout: its writer is a thread."""
        deadline = time.monotonic() + timeout
        while text not in self.stderr():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def start(self) -> "Server":
        for _attempt in range(3):
            self.port = free_port()
            argv = self.base_argv + ["--listen", f"127.0.0.1:{self.port}"]
            with open(self.log_dir / f"{self.name}.stdout", "wb") as out, open(
                self.stderr_path, "wb"
            ) as err:
                self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            if self._wait_ready():
                return self
            # It exited: another process may have taken the port in between; try another one.
            if "in use" not in self.stderr().lower():
                break
        pytest.fail(
            f"server did not start: {' '.join(argv)}\n"
            f"exit status {self.proc.returncode}\nstderr:\n{self.stderr()[-3000:]}"
        )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.02)
        self.proc.kill()
        self.proc.wait()
        pytest.fail(f"server not accepting after {START_TIMEOUT}s:\n{self.stderr()[-3000:]}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self) -> None:
        """SIGTERM, wait, then SIGKILL. Idempotent."""
        if self.proc is None or self.returncode is not None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.killed = True
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode

    def problems(self) -> list[str]:
        out = []
        if self.killed:
            out.append(f"{self.name}: still running {STOP_TIMEOUT}s after SIGTERM (killed)")
        elif self.returncode != 0:
            out.append(f"{self.name}: exit status {self.returncode} after SIGTERM, expected 0")
        report = sanitizer_report(self.stderr())
        if report:
            out.append(f"{self.name}: sanitizer report on stderr:\n{report}")
        if out:
            out.append(f"{self.name} stderr tail:\n{self.stderr()[-2000:]}")
        return out


def stop_all(servers: list[Server]) -> None:
    """Stops every server (SIGTERM, then SIGKILL), then fails the test if one exited badly or
    printed a sanitizer report."""
    problems = []
    for s in servers:
        s.stop()
        problems += s.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(argv_without_listen, name) -> a running Server. Every server is
    stopped at the end of the test, and the test fails if one exits badly."""
    started: list[Server] = []
    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(argv: list[str], name: str) -> Server:
        s = Server([str(a) for a in argv], log_dir, f"{name}-{len(started)}")
        started.append(s)
        return s.start()

    yield start
    stop_all(started)


# -- the docroot and servers the tests use -------------------------------------------------

ALL_BYTES = bytes(range(256)) * 40  # a binary file with every byte value

SITE = {
    "index.html": b"<!doctype html><title>teapot</title><p>Hello from the docroot.\n",
    "hello.txt": b"Hello, file!\n",
    "style.css": b"body { color: #333; }\n",
    "app.js": b"console.log('teapot');\n",
    "data.bin": ALL_BYTES,
    "one.txt": b"first\n",
    "two.txt": b"second file\n",
    "three.txt": b"the third one\n",
    "sub/inner.txt": b"inside sub\n",
    "caf\u00e9.txt": "cr\u00e8me br\u00fbl\u00e9e\n".encode(),
}


def build_docroot(root: Path) -> Path:
    for rel, content in SITE.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
    # Outside the root: what an escape would reveal.
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_bytes(b"OUTSIDE-THE-ROOT\n")
    (root / "escape").symlink_to(outside)  # a directory link leading out
    (root / "escape.txt").symlink_to(outside / "secret.txt")  # a file link leading out
    return root


@pytest.fixture
def docroot(tmp_path) -> Path:
    return build_docroot(tmp_path / "site")


@pytest.fixture
def serve(start_server, docroot, tmp_path):
    """Factory: serve(*flags, root=None, transport=None) runs `teapot serve DOCROOT flags...`;
    for h2c and h2, which that command line cannot ask for, the same from a configuration file
    (transports.serve_flags_config) with what the transport needs."""
    require(TEAPOT_BIN, "teapot")

    def run(*flags: str, root: Path | None = None, transport=None) -> Server:
        root = root or docroot
        if transport is None or transport.name == "h1":
            s = start_server([TEAPOT_BIN, "serve", root, *flags], "teapot")
            return transport.attach(s) if transport else s
        text, tls_port = transport.configure(serve_flags_config(root, flags))
        config = tmp_path / f"serve-{transport.name}-{len(list(tmp_path.glob('serve-*')))}.toml"
        config.write_text(text)
        return transport.attach(start_server([TEAPOT_BIN, "serve", "--config", config], "teapot"),
                                tls_port)

    return run


@pytest.fixture
def teapot(serve) -> Server:
    """`teapot serve` on the docroot with the default limits."""
    return serve()


@pytest.fixture
def hello(start_server) -> Server:
    exe = EXAMPLES_DIR / "example_hello"
    require(exe, "example_hello")
    return start_server([exe], "hello")


@pytest.fixture
def jobs(start_server) -> Server:
    exe = EXAMPLES_DIR / "example_jobs"
    require(exe, "example_jobs")
    return start_server([exe], "jobs")


def chromium() -> str:
    """Debian's headless browser; the test is skipped where it is not installed."""
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    pytest.skip("chromium is not installed (Debian package chromium)")


def run_cli(*args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    """Runs the teapot CLI to completion; fails the test on a sanitizer report."""
    require(TEAPOT_BIN, "teapot")
    p = subprocess.run(
        [str(TEAPOT_BIN), *args], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    report = sanitizer_report(p.stderr.decode(errors="replace"))
    assert report is None, f"sanitizer report from teapot {' '.join(args)}:\n{report}"
    return p


def check_refusal(tmp_path: Path, text: str) -> str:
    """`teapot check` of a configuration that must be refused: exit status 2 and one line on
    stderr, which is returned (`path:line:column: key.path: message`)."""
    config = tmp_path / "teapot.toml"
    config.write_text(text)
    p = run_cli("check", str(config))
    assert p.returncode == 2, p.stdout
    lines = p.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def dev_certificates(tmp_path: Path, hosts: tuple[str, ...] = ("localhost", "other.test")
                     ) -> dict[str, Path]:
    """`teapot cert` for each host, into tmp_path/HOST: host -> the folder of its cert.pem and
    key.pem (self-signed, for that one name)."""
    certs = {}
    for host in hosts:
        p = run_cli("cert", str(tmp_path / host), "--host", host)
        assert p.returncode == 0, p.stderr
        certs[host] = tmp_path / host
    return certs


def sha512_crypt(password: str) -> str:
    """A SHA-crypt ($6$) hash: Python's crypt module where it still exists, else openssl."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt  # deprecated in 3.11, removed in 3.13

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.fail("neither Python's crypt module nor openssl is here to make a hash")
        p = subprocess.run(
            [openssl, "passwd", "-6", "-stdin"], input=password.encode(), capture_output=True,
            check=True,
        )
        return p.stdout.decode().strip()


def pattern(n: int) -> bytes:
    """n bytes of a 4 KiB block that a server can make too: byte i is (i % 4096 * 7 + 3) & 0xFF."""
    block = bytes((i * 7 + 3) & 0xFF for i in range(4096))
    return (block * (n // len(block) + 1))[:n]


def rss_kib(pid: int) -> int:
    """The resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def css(size: int) -> bytes:
    """size bytes of CSS rules, each unlike the last: text that compresses, but not to nothing."""
    out = b""
    i = 0
    while len(out) < size:
        out += b".rule-%d { color: #%06x; margin: %dpx; }\n" % (i, i * 2654435761 % 0xFFFFFF, i)
        i += 1
    return out[:size]


# -- WebDAV areas ---------------------------------------------------------------------------


class DavServer(Server):
    """`teapot serve --config FILE` with one site whose /dav/ is a WebDAV area on `root`."""

    def __init__(self, config_path: Path, root: Path, log_dir: Path, name: str):
        super().__init__([str(TEAPOT_BIN), "serve", "--config", str(config_path)], log_dir, name)
        self.root = root

    def url(self, path: str = "/dav/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def serve_dav(tmp_path):
    """Factory: serve_dav(root=None, body_max="64MiB", transport=None, **webdav_keys) starts
    teapot with a WebDAV area at /dav/ on root (a fresh folder by default), with what the
    transport needs (h1 without one); webdav_keys are the [[sites.webdav]] keys (read_only=True,
    quota="1KiB", processing_interval="5ms", ...)."""
    require(TEAPOT_BIN, "teapot")
    started: list[DavServer] = []
    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(root: Path | None = None, body_max: str = "64MiB", workers: int = 2,
              transport=None, **keys) -> DavServer:
        n = len(started)
        if root is None:
            root = tmp_path / f"dav-{n}"
            root.mkdir()
        site = tmp_path / "site"
        site.mkdir(exist_ok=True)
        lines = [
            "[server]",
            'listen = ["127.0.0.1:1"]',
            f"workers = {workers}",
            'drain_timeout = "1s"',
            "[[server.body_limits]]",
            'prefix = "/dav/"',
            f'max = "{body_max}"',
            "[[sites]]",
            "default = true",
            f"root = {toml_value(site)}",
            "[[sites.webdav]]",
            'prefix = "/dav/"',
            f"root = {toml_value(root)}",
        ] + [f"{k} = {toml_value(v)}" for k, v in keys.items()]
        config = tmp_path / f"dav-{n}.toml"
        text, tls_port = "\n".join(lines) + "\n", 0
        if transport is not None:
            text, tls_port = transport.configure(text)
        config.write_text(text)
        s = DavServer(config, root, log_dir, f"teapot-dav-{n}")
        started.append(s)
        s.start()
        return transport.attach(s, tls_port) if transport else s

    yield start
    stop_all(started)


# -- the transports a test may run over (h1, h2c, h2): see transports.py -----------------------

# Imported last: transports.py imports this file.
from transports import CERT_NAMES, TRANSPORTS, Transport, serve_flags_config  # noqa: E402


@pytest.fixture(scope="session")
def transport_certificate(tmp_path_factory) -> Path:
    """One self-signed certificate for CERT_NAMES (its own CA file), made once a session."""
    folder = tmp_path_factory.mktemp("transports") / "cert"
    p = run_cli("cert", str(folder), *[a for n in CERT_NAMES for a in ("--host", n)])
    assert p.returncode == 0, p.stderr
    return folder


@pytest.fixture(params=TRANSPORTS)
def transport(request) -> Transport:
    """h1, h2c, h2: the test runs once over each (or over those it parametrizes indirectly)."""
    if request.param == "h2":
        return Transport("h2", request.getfixturevalue("transport_certificate"))
    return Transport(request.param)
