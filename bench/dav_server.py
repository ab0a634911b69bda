"""What the WebDAV benches share: a one-worker `teapot serve` with a WebDAV area at /dav/, and
the server's resident memory read from /proc."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def start_dav(binary: Path, root: Path, work: Path, server_extra: str = "") -> tuple[subprocess.Popen, int]:
    """Starts teapot with one worker and root as /dav/; returns the process and its port once
    it accepts connections."""
    port = free_port()
    config = work / "teapot.toml"
    config.write_text(f'[server]\nlisten = ["127.0.0.1:{port}"]\nworkers = 1\n{server_extra}'
                      f'[[sites]]\ndefault = true\n[[sites.webdav]]\nprefix = "/dav/"\n'
                      f'root = "{root}"\n')
    proc = subprocess.Popen([str(binary), "serve", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
