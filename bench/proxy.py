#!/usr/bin/env python3
"""The reverse proxy beside nginx's proxy_pass: server CPU time per request, measured with wrk.

One origin (nginx, one worker, pinned with the client to --client-cpus, so that its work is not
counted) serves hello.txt (13 bytes), 64k.bin and answers POST /post with 200 after reading the
content. Two proxies in front of it, each one worker pinned to --server-cpus: nginx with
`proxy_pass` to an upstream block with `keepalive 32` (HTTP/1.1, `Connection ""`: nginx's own
advice for keep-alive upstreams), and teapot with a `[[sites.proxy]]` route (keepalive 32, its
default). Neither proxy logs or caches. The CPU time of the proxy's process tree (utime +
stime from /proc) is read before and after each measured wrk run; every round measures both
proxies on every workload, in an order that rotates each round; the report gives medians over
rounds and per-round ratios to nginx.

Workloads (wrk -t 1 -c --conns, keep-alive client connections):

  hello    GET /hello.txt (13 bytes)
  64k      GET /64k.bin
  post4k   POST /post with 4 KiB of content

  bench/proxy.py                                  # 3 workloads x 2 proxies x 3 rounds, ~2 min
  bench/proxy.py --duration 2 --rounds 1          # a quick look

Needs root, Debian's nginx and wrk, and a teapot build (build/release/teapot unless --teapot).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from h2load import NOFILE, cpu_seconds, port_is_free, tree, write  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PROXIES = ("nginx", "teapot")
WORKLOADS = {
    "hello": ("GET", "/hello.txt", 0),
    "64k": ("GET", "/64k.bin", 0),
    "post4k": ("POST", "/post", 4096),
}


def nginx_conf(prefix: Path, body: str) -> list[str]:
    conf = f"""worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_rlimit_nofile {NOFILE};
events {{ worker_connections {NOFILE - 100}; }}
http {{
    access_log off;
    types {{ text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    sendfile on; tcp_nodelay on;
    keepalive_timeout 300s; keepalive_requests 100000000;
    client_body_temp_path {prefix}/t_body; proxy_temp_path {prefix}/t_proxy;
    fastcgi_temp_path {prefix}/t_fcgi; uwsgi_temp_path {prefix}/t_uwsgi; scgi_temp_path {prefix}/t_scgi;
{body}
}}
"""
    return ["nginx", "-p", str(prefix), "-c", str(write(prefix / "nginx.conf", conf)),
            "-e", f"{prefix}/error.log"]


def origin_argv(prefix: Path, port: int, root: Path) -> list[str]:
    return nginx_conf(prefix, f"""    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
        client_body_buffer_size 64k;
        location = /post {{ client_max_body_size 1m; return 200 "ok\\n"; }}
    }}""")


def proxy_argv(name: str, prefix: Path, port: int, origin: int, teapot: Path) -> list[str]:
    if name == "nginx":
        return nginx_conf(prefix, f"""    upstream origin {{ server 127.0.0.1:{origin}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        client_body_buffer_size 64k;
        location / {{
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering on;
        }}
    }}""")
    conf = f"""[server]
listen = ["127.0.0.1:{port}"]
workers = 1
drain_timeout = "1s"
[server.limits]
keep_alive_timeout = "300s"
[access_log]
enabled = false
[[sites]]
hosts = ["localhost", "127.0.0.1"]
root = "{prefix}"
[[sites.proxy]]
prefix = "/"
upstreams = ["127.0.0.1:{origin}"]
"""
    return [str(teapot), "serve", "--config", str(write(prefix / "teapot.toml", conf))]


def answers(port: int) -> bool:
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        f"http://127.0.0.1:{port}/hello.txt"], capture_output=True, text=True)
    return r.stdout == "200"


class Process:
    def __init__(self, name: str, argv: list[str], cpus: str, prefix: Path, port: int):
        self.name, self.port, self.prefix = name, port, prefix
        self.log = open(prefix / "stdout.log", "w")
        self.proc = subprocess.Popen(["taskset", "-c", cpus] + argv, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + 15
        while not answers(port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} does not answer on {port}; see {prefix}")
            time.sleep(0.1)

    def cpu(self) -> float:
        return cpu_seconds(tree(self.proc.pid))

    def stop(self) -> None:
        pids = tree(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for p in pids[1:]:
            try:
                os.kill(p, 9)
            except ProcessLookupError:
                pass
        self.log.close()


def wrk(args: argparse.Namespace, port: int, workload: str, seconds: float, workdir: Path) -> dict:
    method, path, size = WORKLOADS[workload]
    script = write(workdir / f"{workload}.lua",
                   f'wrk.method = "{method}"\n'
                   + (f'wrk.body = string.rep("x", {size})\n'
                      'wrk.headers["Content-Type"] = "application/octet-stream"\n' if size else ""))
    out = subprocess.run(["taskset", "-c", args.client_cpus, "wrk", "-t1", f"-c{args.conns}",
                          f"-d{max(1, round(seconds))}s", "-s", str(script), f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "bad": int(bad.group(1)) if bad else 0,
            "errors": sum(int(x) for x in errors.groups()) if errors else 0}


def measure(args, proxy: Process, workload: str, workdir: Path) -> dict:
    wrk(args, proxy.port, workload, 1, workdir)  # warm: connections, pools, caches
    before = proxy.cpu()
    r = wrk(args, proxy.port, workload, args.duration, workdir)
    r["cpu_s"] = proxy.cpu() - before
    r["srv_us"] = r["cpu_s"] / max(r["requests"], 1) * 1e6
    r.update(proxy=proxy.name, workload=workload)
    return r


def report(args, results: list[dict], meta: dict) -> str:
    lines = [f"# Reverse proxy: teapot beside nginx proxy_pass ({meta['when']})", "",
             f"{meta['machine']}; wrk -t1 -c{args.conns}, {args.duration} s per cell, "
             f"{args.rounds} round(s); proxies on CPU {args.server_cpus}, origin (nginx) and wrk "
             f"on CPU {args.client_cpus}; medians over rounds.", "",
             "| workload | proxy | proxy CPU µs/req | ×nginx | req/s | ×nginx | non-2xx + errors |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for wl in args.workloads:
        rows = {p: [r for r in results if r["workload"] == wl and r["proxy"] == p]
                for p in PROXIES}
        ref_us = statistics.median(r["srv_us"] for r in rows["nginx"])
        ref_rps = statistics.median(r["rps"] for r in rows["nginx"])
        for p in PROXIES:
            us = statistics.median(r["srv_us"] for r in rows[p])
            rps = statistics.median(r["rps"] for r in rows[p])
            bad = sum(r["bad"] + r["errors"] for r in rows[p])
            lines.append(f"| {wl} | {p} | {us:.1f} | {us / ref_us:.2f} | {rps:,.0f} | "
                         f"{rps / ref_rps:.2f} | {bad} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teapot", type=Path, default=REPO / "build/release/teapot")
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--server-cpus", default="0")
    ap.add_argument("--client-cpus", default="1")
    ap.add_argument("--base-port", type=int, default=18300)
    ap.add_argument("--out", type=Path, default=REPO / "build/bench" / f"proxy-{time.strftime('%Y%m%d-%H%M%S')}")
    args = ap.parse_args()
    args.workloads = args.workloads.split(",")
    if not args.teapot.is_file():
        sys.exit(f"no teapot at {args.teapot}: cmake --preset release && cmake --build --preset release")
    ports = {"origin": args.base_port, "nginx": args.base_port + 10, "teapot": args.base_port + 40}
    for port in ports.values():
        if not port_is_free(port):
            sys.exit(f"port {port} is taken: choose another --base-port")
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="proxybench-"))
    os.chmod(work, 0o777)
    root = work / "root"
    root.mkdir()
    (root / "hello.txt").write_bytes(b"Hello, world\n")
    (root / "64k.bin").write_bytes(os.urandom(65536))
    started: list[Process] = []
    try:
        d = work / "origin"
        d.mkdir()
        started.append(Process("origin", origin_argv(d, ports["origin"], root), args.client_cpus,
                               d, ports["origin"]))
        proxies = {}
        for name in PROXIES:
            d = work / name
            d.mkdir()
            proxies[name] = Process(name, proxy_argv(name, d, ports[name], ports["origin"],
                                                     args.teapot), args.server_cpus, d, ports[name])
            started.append(proxies[name])
        results = []
        for rnd in range(args.rounds):
            order = PROXIES[rnd % 2:] + PROXIES[:rnd % 2]
            for wl in args.workloads:
                for name in order:
                    r = measure(args, proxies[name], wl, work)
                    r["round"] = rnd
                    results.append(r)
                    print(f"round {rnd} {wl:7} {name:7} {r['srv_us']:7.1f} µs/req "
                          f"{r['rps']:10,.0f} req/s bad={r['bad'] + r['errors']}", flush=True)
    finally:
        for p in started:
            p.stop()
    meta = {"when": time.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{platform.node()}, {os.cpu_count()} CPUs, {platform.release()}"}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    text = report(args, results, meta)
    (args.out / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
