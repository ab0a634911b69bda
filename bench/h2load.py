#!/usr/bin/env python3
"""HTTP/2 beside nginx, h2o and lighttpd: server CPU time per request, measured with h2load.

Every server gets one worker, the same docroot (hello.txt of 13 bytes, 4k.bin, 64k.bin) and the
same self-signed P-256 certificate (`teapot cert`), and listens on two loopback ports: a plain
one that speaks h2c with prior knowledge (RFC 9113 §3.3) and a TLS one that chooses h2 by ALPN.
Servers run pinned to --server-cpus (CPU 0), h2load and this script to --client-cpus (CPU 1).
Each cell is one server on one workload: a warm-up, then a measured h2load run; the server's CPU
time is utime + stime from /proc/PID/stat, summed over its process tree (threads included),
read before and after the run. Every round measures every server in every workload, in an order
that rotates each round; the report gives medians over rounds and per-round ratios to nginx.

Workloads (h2load -t 1):

  h2c      -c 16 -m 10, GET /hello.txt over h2c (prior knowledge)
  h2       -c 16 -m 10, GET /hello.txt over TLS
  h2-4k    -c 16 -m 10, GET /4k.bin over TLS           (not in the default set)
  h2-64k   -c 16 -m 10, GET /64k.bin over TLS
  hs       -c C -n C -m 1 over TLS, repeated for --duration seconds: each of the C connections
           makes a full handshake (h2load keeps no session between connections, so nothing is
           resumed), sends one request and closes; the CPU is per connection
  h2c-conn the same over h2c: what a connection costs without TLS; hs minus h2c-conn is the
           handshake's own cost

The streamed workloads first run h2load for --warmup seconds (-D) to learn the rate, then
measure a run of -n (rate x --duration) requests, so that every request of the measured run
counts and its failures show. A cell in which h2load reports a failed, errored or timed-out
request, or a status other than 2xx, is flagged in the table.

  bench/h2load.py                                  # 5 workloads x 4 servers x 3 rounds, ~5 min
  bench/h2load.py --duration 2 --rounds 1          # a quick look
  bench/h2load.py --servers nginx,teapot --workloads h2,hs --rounds 5 --out build/bench/h2

Needs root (lighttpd drops to www-data), Debian's nginx, h2o, lighttpd and lighttpd-mod-openssl,
h2load (nghttp2-client), and a teapot build (build/release/teapot unless --teapot).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVERS = ("nginx", "h2o", "lighttpd", "teapot")
OFFSETS = {"nginx": 10, "h2o": 20, "lighttpd": 30, "teapot": 40}  # plain port; TLS is +1
NOFILE = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 65536)
TCK = os.sysconf("SC_CLK_TCK")

# name -> tls, path, connections, streams per connection, handshake (one request per connection)
WORKLOADS = {
    "h2c": dict(tls=False, path="/hello.txt", conns=16, streams=10, handshake=False),
    "h2": dict(tls=True, path="/hello.txt", conns=16, streams=10, handshake=False),
    "h2-4k": dict(tls=True, path="/4k.bin", conns=16, streams=10, handshake=False),
    "h2-64k": dict(tls=True, path="/64k.bin", conns=16, streams=10, handshake=False),
    "hs": dict(tls=True, path="/hello.txt", conns=0, streams=1, handshake=True),
    "h2c-conn": dict(tls=False, path="/hello.txt", conns=0, streams=1, handshake=True),
}
DEFAULT_WORKLOADS = "h2c,h2,h2-64k,hs,h2c-conn"

# ------------------------------------------------------------------------------ configurations
# Each takes the context (prefix, root, port, tls_port, cert, key, teapot) and returns argv.


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def gen_nginx(c: dict) -> list[str]:
    p = c["prefix"]
    conf = f"""worker_processes 1;
daemon off;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
worker_rlimit_nofile {NOFILE};
events {{ worker_connections {NOFILE - 100}; }}
http {{
    access_log off;
    types {{ text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_timeout 300s; keepalive_requests 100000000;
    open_file_cache max=1000 inactive=60s;
    client_body_temp_path {p}/t_body; proxy_temp_path {p}/t_proxy;
    fastcgi_temp_path {p}/t_fcgi; uwsgi_temp_path {p}/t_uwsgi; scgi_temp_path {p}/t_scgi;
    server {{
        listen 127.0.0.1:{c['port']} http2 backlog=4096;
        listen 127.0.0.1:{c['tls_port']} ssl http2 backlog=4096;
        ssl_protocols TLSv1.2 TLSv1.3;  # 1.22 leaves out TLSv1.3 by default
        ssl_certificate {c['cert']};
        ssl_certificate_key {c['key']};
        server_name _;
        root {c['root']};
    }}
}}
"""
    conf_file = write(p / "nginx.conf", conf)
    return ["nginx", "-p", str(p), "-c", str(conf_file), "-e", f"{p}/error.log"]


def gen_h2o(c: dict) -> list[str]:
    p = c["prefix"]
    conf = f"""listen:
  host: 127.0.0.1
  port: {c['port']}
listen:
  host: 127.0.0.1
  port: {c['tls_port']}
  ssl:
    certificate-file: {c['cert']}
    key-file: {c['key']}
num-threads: 1
max-connections: {NOFILE - 100}
pid-file: {p}/h2o.pid
error-log: {p}/error.log
http1-request-timeout: 300
http2-idle-timeout: 300
hosts:
  default:
    paths:
      /:
        file.dir: {c['root']}
"""
    return ["h2o", "-c", str(write(p / "h2o.conf", conf))]


def gen_lighttpd(c: dict) -> list[str]:
    p = c["prefix"]
    conf = f"""server.modules += ("mod_openssl")
server.document-root = "{c['root']}"
server.bind = "127.0.0.1"
server.port = {c['port']}
server.pid-file = "{p}/lighttpd.pid"
server.errorlog = "{p}/error.log"
server.username = "www-data"
server.groupname = "www-data"
server.max-fds = {NOFILE}
server.max-connections = {NOFILE // 2 - 100}  # lighttpd caps it at half its fds
server.max-keep-alive-requests = 65535
server.max-keep-alive-idle = 300
server.max-read-idle = 300
server.max-worker = 0
server.listen-backlog = 4096
server.feature-flags += ("server.h2proto" => "enable", "server.h2c" => "enable")
mimetype.assign = (".txt" => "text/plain", ".bin" => "application/octet-stream")
$SERVER["socket"] == "127.0.0.1:{c['tls_port']}" {{
    ssl.engine = "enable"
    ssl.pemfile = "{c['cert']}"
    ssl.privkey = "{c['key']}"
}}
"""
    return ["lighttpd", "-D", "-f", str(write(p / "lighttpd.conf", conf))]


def gen_teapot(c: dict) -> list[str]:
    p = c["prefix"]
    conf = f"""[server]
listen = ["127.0.0.1:{c['port']}"]
tls_listen = ["127.0.0.1:{c['tls_port']}"]
workers = 1
h2c = true
drain_timeout = "1s"
[server.limits]
keep_alive_timeout = "300s"
[access_log]
enabled = false
[[sites]]
hosts = ["localhost", "127.0.0.1"]
root = "{c['root']}"
[sites.tls]
certificate = "{c['cert']}"
key = "{c['key']}"
"""
    return [str(c["teapot"]), "serve", "--config", str(write(p / "teapot.toml", conf))]


GENERATORS = {"nginx": gen_nginx, "h2o": gen_h2o, "lighttpd": gen_lighttpd, "teapot": gen_teapot}

# ------------------------------------------------------------------------------ processes


def children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                st = Path(f"/proc/{d}/stat").read_text()
                kids.setdefault(int(st[st.rindex(")") + 2 :].split()[1]), []).append(int(d))
            except (OSError, ValueError):
                pass
    return kids


def tree(pid: int) -> list[int]:
    kids, out, todo = children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes, each one summed over all its threads by the kernel."""
    total = 0
    for p in pids:
        try:
            st = Path(f"/proc/{p}/stat").read_text()
            fields = st[st.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError):
            pass
    return total / TCK


def cpu_busy(cpus: set[int]) -> tuple[int, int]:
    """(user + nice + system, steal) ticks of the given CPUs, from /proc/stat."""
    busy = steal = 0
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3].isdigit():
            f = line.split()
            if int(f[0][3:]) in cpus:
                busy += int(f[1]) + int(f[2]) + int(f[3])
                steal += int(f[8])
    return busy, steal


def cpu_set(spec: str) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def speaks_h2c(port: int) -> bool:
    """Sends the client preface and a SETTINGS frame (RFC 9113 §3.4); true when the first frame
    back is the server's SETTINGS."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
        head = b""
        while len(head) < 9:
            d = s.recv(9 - len(head))
            if not d:
                return False
            head += d
        return head[3] == 4


def speaks_h2_over_tls(port: int) -> bool:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
        with ctx.wrap_socket(raw) as s:
            return s.selected_alpn_protocol() == "h2"


class Server:
    def __init__(self, name: str, port: int, args: argparse.Namespace):
        self.name, self.port, self.tls_port, self.args = name, port, port + 1, args
        self.proc: subprocess.Popen | None = None

    def start(self, workdir: Path, root: Path, cert: Path) -> None:
        self.prefix = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=workdir))
        os.chmod(self.prefix, 0o777)  # servers that drop to www-data or nobody write here
        ctx = dict(prefix=self.prefix, root=root, port=self.port, tls_port=self.tls_port,
                   cert=cert / "cert.pem", key=cert / "key.pem", teapot=self.args.teapot)
        self.argv = ["taskset", "-c", self.args.server_cpus] + GENERATORS[self.name](ctx)
        self.log = open(self.prefix / "stdout.log", "w")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; "
                                   f"see {self.prefix} (--keep keeps it)")
            try:
                if speaks_h2c(self.port) and speaks_h2_over_tls(self.tls_port):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} does not speak h2c on {self.port} and h2 on "
                           f"{self.tls_port}; see {self.prefix} (--keep keeps it)")

    def pids(self) -> list[int]:
        return tree(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def stop(self) -> None:
        """SIGTERM to the PID started, then SIGKILL to what is left of its own tree, by PID."""
        if not self.proc:
            return
        pids = self.pids()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        time.sleep(0.2)
        for p in pids[1:]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()
        self.proc = None

# ------------------------------------------------------------------------------ h2load


def seconds(value: str, unit: str) -> float:
    return float(value) * {"s": 1.0, "ms": 1e-3, "us": 1e-6}[unit]


def parse_h2load(out: str) -> dict:
    r: dict = {}
    m = re.search(r"finished in ([\d.]+)(s|ms|us), ([\d.]+) req/s", out)
    if m:
        r["elapsed_s"] = seconds(m.group(1), m.group(2))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
    if m:
        for k, v in zip(("total", "started", "done", "succeeded", "failed", "errored", "timeout"),
                        m.groups()):
            r[k] = int(v)
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if m:
        r["s2xx"], r["s3xx"], r["s4xx"], r["s5xx"] = (int(x) for x in m.groups())
    for key, label in (("tls_protocol", "TLS Protocol"), ("cipher", "Cipher"),
                       ("temp_key", "Server Temp Key"), ("alpn", "Application protocol")):
        m = re.search(rf"^{label}: (.*)$", out, re.M)
        if m:
            r[key] = m.group(1).strip()
    return r


def run_h2load(args: argparse.Namespace, flags: list[str], url: str) -> dict:
    cmd = ["taskset", "-c", args.client_cpus, "h2load", "-t", "1", *flags]
    if url.startswith("https:") and args.tls13_ciphers:
        cmd.append(f"--tls13-ciphers={args.tls13_ciphers}")
    cmd.append(url)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read() if p.stdout else ""
    _, status, usage = os.wait4(p.pid, 0)
    r = parse_h2load(out)
    if os.waitstatus_to_exitcode(status) != 0 or "elapsed_s" not in r or "done" not in r:
        raise RuntimeError(f"h2load failed: {' '.join(cmd)}\n{out[-1500:]}")
    r["client_cpu_s"] = usage.ru_utime + usage.ru_stime
    r["cmd"] = " ".join(cmd)
    r["tail"] = out[-600:]
    return r


def bad_requests(r: dict, expected: int) -> int:
    """Requests that did not end in a 2xx: failed, errored, timed out, other statuses, missing."""
    return max(expected - r.get("s2xx", 0), r["failed"] + r["errored"] + r["timeout"])

# ------------------------------------------------------------------------------ one cell


def url_of(srv: Server, wl: dict) -> str:
    if wl["tls"]:
        return f"https://127.0.0.1:{srv.tls_port}{wl['path']}"
    return f"http://127.0.0.1:{srv.port}{wl['path']}"


def streamed_flags(args: argparse.Namespace, srv: Server, wl: dict) -> tuple[list[str], str, int]:
    """A warm-up of --warmup seconds (h2load -D) gives the rate; the measured run is then
    -n rate x --duration, so that every request it makes is counted and checked."""
    url, c, m = url_of(srv, wl), str(wl["conns"]), str(wl["streams"])
    warm = run_h2load(args, ["-c", c, "-m", m, "-D", str(args.warmup)], url)
    rate = warm["done"] / max(warm["elapsed_s"], 1e-3)
    n = max(wl["conns"] * wl["streams"] * 20, int(rate * args.duration))
    return ["-c", c, "-m", m, "-n", str(n)], url, n


def measure(args: argparse.Namespace, srv: Server, wl_name: str) -> dict:
    wl = WORKLOADS[wl_name]
    if wl["handshake"]:
        # Each of the C clients opens one connection, makes one request and closes: C full
        # handshakes per run. The run repeats until --duration has passed.
        c = str(args.hs_conns)
        flags, url, n = ["-c", c, "-n", c, "-m", "1"], url_of(srv, wl), args.hs_conns
        run_h2load(args, flags, url)  # warm-up
    else:
        flags, url, n = streamed_flags(args, srv, wl)
    scpus, pids, runs = cpu_set(args.server_cpus), srv.pids(), []
    s0, c0, t0 = cpu_busy(scpus), cpu_seconds(pids), time.monotonic()
    while not runs or (wl["handshake"] and (time.monotonic() - t0 < args.duration or len(runs) < 3)):
        runs.append(run_h2load(args, flags, url))
    s1, c1, t1 = cpu_busy(scpus), cpu_seconds(pids), time.monotonic()
    done = sum(r["done"] for r in runs)
    elapsed = sum(r["elapsed_s"] for r in runs)
    server_cpu, wall = c1 - c0, t1 - t0
    tls = next((r for r in runs if "tls_protocol" in r), {})
    return dict(
        server=srv.name, workload=wl_name, requests=done, runs=len(runs),
        rps=done / elapsed, server_cpu_s=server_cpu, wall_s=wall,
        srv_us=1e6 * server_cpu / max(done, 1), srv_util=server_cpu / elapsed,
        cli_util=sum(r["client_cpu_s"] for r in runs) / wall,
        # CPU time on the server's CPUs used by anything but the server (other jobs, kernel
        # threads; softirq not counted), plus the hypervisor's steal, as a share of the wall time.
        foreign=max(0.0, (s1[0] - s0[0]) / TCK - server_cpu) / wall + (s1[1] - s0[1]) / TCK / wall,
        bad=sum(bad_requests(r, n) for r in runs),
        tls={k: tls[k] for k in ("tls_protocol", "cipher", "temp_key", "alpn") if k in tls},
        cmd=runs[0]["cmd"], tail=runs[-1]["tail"],
    )

# ------------------------------------------------------------------------------ report


def paired_ratio(rows: list[dict], ref: list[dict], key: str) -> float | None:
    a = {r["round"]: r[key] for r in rows}
    b = {r["round"]: r[key] for r in ref}
    common = [k for k in a if k in b and b[k] > 0]
    return statistics.median(a[k] / b[k] for k in common) if common else None


def fmt_ratio(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def workload_title(name: str, args: argparse.Namespace) -> str:
    wl = WORKLOADS[name]
    scheme = "TLS" if wl["tls"] else "h2c"
    if wl["handshake"]:
        return (f"### {name}: h2load -c {args.hs_conns} -n {args.hs_conns} -m 1 {wl['path']} over "
                f"{scheme}, repeated: one connection per request (µs and rate per connection)")
    return f"### {name}: h2load -c {wl['conns']} -m {wl['streams']} {wl['path']} over {scheme}"


def report(args: argparse.Namespace, results: list[dict], meta: dict) -> str:
    lines = [f"h2load.py: {meta['date']}  host={meta['host']}  kernel={meta['kernel']}  "
             f"teapot={meta['teapot']}",
             f"server cpus={args.server_cpus} client cpus={args.client_cpus} "
             f"duration={args.duration}s warmup={args.warmup}s rounds={args.rounds} "
             f"tls13-ciphers={args.tls13_ciphers or '(h2load default)'}  "
             f"loadavg start={meta['load_start']} end={meta['load_end']}", ""]
    cells: dict[str, dict[str, list[dict]]] = {}
    for r in results:
        cells.setdefault(r["workload"], {}).setdefault(r["server"], []).append(r)
    summary: dict[tuple[str, str], tuple[float, float | None, float, float | None]] = {}
    for wl in (w for w in args.workload_list if w in cells):
        per = cells[wl]
        unit = "conn" if WORKLOADS[wl]["handshake"] else "req"
        lines += [workload_title(wl, args),
                  f"| server | srv µs/{unit} | ×nginx µs | {unit}/s med | min..max | ×nginx {unit}/s "
                  "| srv CPU | h2load CPU | foreign | not 2xx |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name in (s for s in args.server_list if s in per):
            rows = per[name]
            us = statistics.median(r["srv_us"] for r in rows)
            rps = statistics.median(r["rps"] for r in rows)
            rus = paired_ratio(rows, per.get("nginx", []), "srv_us")
            rrps = paired_ratio(rows, per.get("nginx", []), "rps")
            summary[(wl, name)] = (us, rus, rps, rrps)
            med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
            lines.append(
                f"| {name} | {us:.1f} | {fmt_ratio(rus)} | {rps:,.0f} "
                f"| {min(r['rps'] for r in rows):,.0f}..{max(r['rps'] for r in rows):,.0f} "
                f"| {fmt_ratio(rrps)} | {100 * med('srv_util'):.0f}% | {100 * med('cli_util'):.0f}% "
                f"| {100 * med('foreign'):.0f}% | {sum(r['bad'] for r in rows)} |")
        lines.append("")
    cols = [w for w in args.workload_list if w in cells]
    per_conn = [w for w in cols if WORKLOADS[w]["handshake"]]
    note = f"; in {', '.join(per_conn)} each request has a connection of its own" if per_conn else ""
    for title, idx in ((f"server CPU µs per request (×nginx){note}", 0),
                       (f"requests/s (×nginx){note}", 2)):
        lines += [f"### Summary: {title}",
                  "| server | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
        for name in args.server_list:
            cell = []
            for w in cols:
                v = summary.get((w, name))
                if v is None:
                    cell.append("")
                else:
                    num = f"{v[idx]:.1f}" if idx == 0 else f"{v[idx]:,.0f}"
                    cell.append(f"{num} ({fmt_ratio(v[idx + 1])})")
            lines.append(f"| {name} | " + " | ".join(cell) + " |")
        lines.append("")
    lines += ["### TLS as negotiated (from h2load)", "| server | protocol | cipher | key exchange | ALPN |",
              "|---|---|---|---|---|"]
    for name in args.server_list:
        t = next((r["tls"] for r in results if r["server"] == name and r["tls"]), None)
        if t:
            lines.append(f"| {name} | {t.get('tls_protocol', '')} | {t.get('cipher', '')} "
                         f"| {t.get('temp_key', '')} | {t.get('alpn', '')} |")
    return "\n".join(lines) + "\n"

# ------------------------------------------------------------------------------ main


def make_root(d: Path) -> None:
    d.mkdir()
    (d / "hello.txt").write_bytes(b"Hello, World!")
    for name, size in (("4k.bin", 4096), ("64k.bin", 65536)):
        (d / name).write_bytes(os.urandom(size))
    os.chmod(d, 0o755)
    for f in d.iterdir():
        os.chmod(f, 0o644)


def make_cert(teapot: Path, d: Path) -> None:
    p = subprocess.run([str(teapot), "cert", str(d), "--host", "localhost", "--host", "127.0.0.1"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"teapot cert failed: {p.stderr}")
    for f in d.iterdir():
        os.chmod(f, 0o644)  # h2o and lighttpd may read them after dropping root


def default_teapot() -> Path:
    return REPO / "build" / "release" / "teapot"


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--workloads", default=DEFAULT_WORKLOADS,
                    help=f"comma list of {', '.join(WORKLOADS)} (default {DEFAULT_WORKLOADS})")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per measured cell")
    ap.add_argument("--warmup", type=int, default=1, help="seconds of h2load -D before each cell")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hs-conns", type=int, default=100,
                    help="connections per h2load run in the hs and h2c-conn workloads")
    ap.add_argument("--tls13-ciphers", default="TLS_AES_128_GCM_SHA256",
                    help="h2load's TLS 1.3 cipher list, the same for every server ('' for "
                         "h2load's default, which lets each server choose)")
    ap.add_argument("--teapot", type=Path, default=default_teapot())
    ap.add_argument("--server-cpus", default="0")
    ap.add_argument("--client-cpus", default="1")
    ap.add_argument("--port-base", type=int, default=18400,
                    help="nginx listens on base+10 (h2c) and base+11 (TLS), h2o +20, lighttpd "
                         "+30, teapot +40")
    ap.add_argument("--out", type=Path, help="directory for results.json and report.md")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs)")
    args = ap.parse_args()
    args.server_list = [s for s in args.servers.split(",") if s]
    args.workload_list = [w for w in args.workloads.split(",") if w]
    for s in args.server_list:
        if s not in GENERATORS:
            ap.error(f"unknown server {s!r}; known: {', '.join(SERVERS)}")
    for w in args.workload_list:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w!r}; known: {', '.join(WORKLOADS)}")
    if "teapot" in args.server_list and not args.teapot.is_file():
        ap.error(f"no teapot at {args.teapot}: build the release preset, or pass --teapot")
    return args


def run_rounds(args: argparse.Namespace, servers: list[Server]) -> list[dict]:
    results = []
    for rnd in range(args.rounds):
        for wl in args.workload_list:
            k = rnd % len(servers)
            for srv in servers[k:] + servers[:k]:  # rotated: no server is always first
                r = measure(args, srv, wl)
                r["round"] = rnd
                results.append(r)
                flag = f"  NOT 2xx: {r['bad']}\n{r['tail']}" if r["bad"] else ""
                print(f"r{rnd} {wl:8s} {srv.name:9s} {r['rps']:>10,.0f} req/s  "
                      f"srv {r['srv_us']:7.1f} µs/req  srv CPU {100 * r['srv_util']:3.0f}%  "
                      f"h2load CPU {100 * r['cli_util']:3.0f}%  foreign {100 * r['foreign']:3.0f}%"
                      f"{flag}", flush=True)
                time.sleep(0.2)
    return results


def main() -> None:
    args = parse_args()
    for tool in ["h2load", "taskset"] + [s for s in args.server_list if s != "teapot"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (see deps/debian-packages.txt)")
    servers = [Server(s, args.port_base + OFFSETS[s], args) for s in args.server_list]
    busy = [p for s in servers for p in (s.port, s.tls_port) if not port_is_free(p)]
    if busy:
        sys.exit(f"ports in use: {busy}; choose another --port-base")
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))  # inherited by servers, h2load
    os.sched_setaffinity(0, cpu_set(args.client_cpus))
    workdir = Path(tempfile.mkdtemp(prefix="h2load-bench-"))
    os.chmod(workdir, 0o755)
    root, cert = workdir / "root", workdir / "cert"
    make_root(root)
    make_cert(args.teapot, cert)
    meta = dict(date=time.strftime("%Y-%m-%d %H:%M:%S"), host=platform.node(),
                kernel=platform.release(), workdir=str(workdir),
                teapot=subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                      capture_output=True, text=True).stdout.strip(),
                load_start=" ".join(Path("/proc/loadavg").read_text().split()[:3]))
    cells = len(servers) * len(args.workload_list) * args.rounds
    print(f"# {cells} cells, ~{cells * (args.duration + args.warmup + 0.6) / 60:.1f} min; "
          f"workdir {workdir}", flush=True)
    started: list[Server] = []
    results: list[dict] = []
    try:
        for s in servers:
            started.append(s)
            s.start(workdir, root, cert)
            print(f"# started {s.name} (pid {s.proc.pid}): {' '.join(s.argv)}", flush=True)
        results = run_rounds(args, servers)
    finally:
        for s in started:
            s.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    meta["load_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    text = report(args, results, meta)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        saved = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
        (args.out / "results.json").write_text(
            json.dumps(dict(meta=meta, args=saved, results=results), indent=1))
        (args.out / "report.md").write_text(text)


if __name__ == "__main__":
    main()
