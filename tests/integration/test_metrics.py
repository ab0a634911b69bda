"""[server.metrics]: the Prometheus text of what the server answered, per site and code.

Each server runs `teapot serve --config FILE` with two workers: the counts are each worker's
own and are added up at the scrape, so the numbers asserted here are exact whichever worker
took a connection. A response is counted once it has been handed to its connection; every
request below has its response read before the scrape, and the scrape's own request is counted
only after its answer. The text is checked with Debian's `promtool check metrics`, and a real
Prometheus server scrapes it. Every server is stopped by its PID at the end of its test.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, chromium, free_port, require, sha512_crypt
from h2wire import H2Conn
from wire import Conn, Response, exchange, request

WORKERS = 2


def config_text(tmp: Path, metrics: str, server_extra: str = "") -> str:
    site = tmp / "site"
    if not site.exists():
        (site / "limited").mkdir(parents=True)
        (site / "private").mkdir()
        (site / "index.html").write_bytes(b"<!doctype html><title>home</title>\n")
        (site / "limited" / "a.txt").write_bytes(b"limited\n")
        (site / "private" / "p.txt").write_bytes(b"private\n")
        (tmp / "other").mkdir()
        (tmp / "other" / "o.txt").write_bytes(b"other site\n")
        (tmp / "htpasswd").write_text(f"ann:{sha512_crypt('secret')}\n")
    return f"""\
[server]
listen = ["127.0.0.1:1"]
workers = {WORKERS}
drain_timeout = "1s"
{server_extra}

[server.metrics]
{metrics}

[access_log]
enabled = false

[[sites]]
hosts = ["other.test"]
root = "{tmp / 'other'}"

[[sites]]
default = true
root = "{site}"

[[sites.rate_limits]]
prefix = "/limited/"
rate = "1/m"
burst = 1

[sites.auth]
htpasswd = "{tmp / 'htpasswd'}"

[[sites.auth.paths]]
prefix = "/private/"
users = ["*"]
"""


@pytest.fixture
def start_metrics(start_server, tmp_path: Path):
    require(TEAPOT_BIN, "teapot")

    def start(metrics: str = "enabled = true", server_extra: str = ""):
        config = tmp_path / "teapot.toml"
        config.write_text(config_text(tmp_path, metrics, server_extra))
        srv = start_server([TEAPOT_BIN, "serve", "--config", config], "metrics")
        srv.config = config
        return srv

    return start


def get(port: int, target: str, *, host: str = "localhost", method: str = "GET",
        source: str | None = None) -> Response:
    with Conn(port, source=source) as c:
        c.send(request(method, target, host=host))
        return c.read_final_response(head=method == "HEAD")[1]


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """name and labels -> value, for every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(2) or ""))
        key = (m.group(1), labels)
        assert key not in out, f"sample twice: {line!r}"
        out[key] = float(m.group(3))
    return out


def value(samples, name: str, **labels) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def scrape(port: int, path: str = "/metrics", source: str | None = None) -> tuple[Response, dict]:
    r = get(port, path, source=source)
    assert r.status == 200, r
    return r, parse(r.body.decode())


def promtool_check(text: bytes) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus, in "
                    "deps/debian-packages.txt)")
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                       timeout=30)
    assert r.returncode == 0, (r.stdout + r.stderr).decode()
    assert r.stdout + r.stderr == b"", (r.stdout + r.stderr).decode()  # no lint remark either


def test_each_code_method_and_step_answer_is_counted_exactly_per_site(start_metrics):
    srv = start_metrics()
    p = srv.port
    assert get(p, "/").status == 200
    assert get(p, "/").status == 200
    assert get(p, "/", method="HEAD").status == 200
    assert get(p, "/missing").status == 404
    assert get(p, "/", method="DELETE").status == 405
    assert get(p, "/o.txt", host="other.test").status == 200
    assert get(p, "/limited/a.txt").status == 200
    assert get(p, "/limited/a.txt").status == 429
    assert get(p, "/private/p.txt").status == 401
    dup = exchange(p, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    assert dup.status == 400, dup
    bad = exchange(p, b"GET / HTTP/1.1\r\nHost: localhost\r\nB(d: x\r\n\r\n")
    assert bad.status == 400, bad

    r, m = scrape(p)
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    assert r.header("Cache-Control") == "no-store"
    site = "(default)"
    assert value(m, "teapot_responses_total", site=site, code="200") == 4
    assert value(m, "teapot_responses_total", site=site, code="404") == 1
    assert value(m, "teapot_responses_total", site=site, code="405") == 1
    assert value(m, "teapot_responses_total", site=site, code="429") == 1
    assert value(m, "teapot_responses_total", site=site, code="401") == 1
    assert value(m, "teapot_responses_total", site="other.test", code="200") == 1
    assert value(m, "teapot_responses_total", site="(none)", code="400") == 2
    assert value(m, "teapot_responses_total", site=site, code="500") is None  # never served
    assert value(m, "teapot_requests_total", site=site, method="GET") == 6
    assert value(m, "teapot_requests_total", site=site, method="HEAD") == 1
    assert value(m, "teapot_requests_total", site=site, method="DELETE") == 1
    assert value(m, "teapot_step_answers_total", site=site, step="rate_limit", code="429") == 1
    assert value(m, "teapot_step_answers_total", site=site, step="basic_auth", code="401") == 1
    assert value(m, "teapot_parse_errors_total", kind="duplicate_host") == 1
    assert value(m, "teapot_parse_errors_total", kind="whitespace_before_colon") is None
    assert value(m, "teapot_parse_errors_total", kind="bad_field_name") == 1
    # Every response of the site is in its histogram, and the buckets only grow.
    assert value(m, "teapot_request_duration_seconds_count", site=site) == 8
    assert value(m, "teapot_request_duration_seconds_bucket", site=site, le="+Inf") == 8
    buckets = sorted(
        (float(dict(k[1])["le"]), v) for k, v in m.items()
        if k[0] == "teapot_request_duration_seconds_bucket" and dict(k[1])["site"] == site
        and dict(k[1])["le"] != "+Inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets
    assert value(m, "teapot_sent_bytes_total", site="other.test") == len(b"other site\n")
    assert value(m, "teapot_received_bytes_total", site="other.test") == len(
        request("GET", "/o.txt", host="other.test"))
    assert value(m, "teapot_workers") == WORKERS
    assert value(m, "teapot_reloads_total", result="success") == 0
    promtool_check(r.body)


def test_connections_accepted_and_open_are_counted(start_metrics):
    srv = start_metrics()
    _, before = scrape(srv.port)
    held = [Conn(srv.port) for _ in range(3)]
    try:
        for c in held:  # answered: so certainly accepted
            c.send(request("GET", "/"))
            assert c.read_response().status == 200
        _, after = scrape(srv.port)
        accepted = value(after, "teapot_connections_accepted_total") - value(
            before, "teapot_connections_accepted_total")
        assert accepted == 3 + 1  # the three, and the second scrape's own
        # The three wait for their next request; the scrape's connection is busy with it.
        assert value(after, "teapot_connections_idle") == 3
        assert value(after, "teapot_connections_open") == 4
    finally:
        for c in held:
            c.close()


def test_a_connection_refused_at_the_per_address_cap_is_counted(start_metrics):
    srv = start_metrics(server_extra="max_connections_per_address = 2")
    held = [Conn(srv.port, source="127.0.0.2") for _ in range(2)]
    try:
        for c in held:
            c.send(request("GET", "/"))
            assert c.read_response().status == 200
        with Conn(srv.port, source="127.0.0.2") as third:
            r = third.read_response(timeout=5)
            assert r.status == 503, r
        _, m = scrape(srv.port)
        assert value(m, "teapot_connections_refused_total") == 1
    finally:
        for c in held:
            c.close()


def test_clients_outside_the_allow_list_get_403(start_metrics):
    srv = start_metrics('enabled = true\nallow = ["127.0.0.2"]')
    r = get(srv.port, "/metrics")
    assert r.status == 403, r
    r = get(srv.port, "/metrics", source="127.0.0.2")
    assert r.status == 200, r
    assert b"teapot_responses_total" in r.body


def test_the_default_allow_list_is_the_machine_itself(start_metrics):
    srv = start_metrics()
    assert get(srv.port, "/metrics", source="127.0.0.9").status == 200


def test_a_listener_of_their_own_serves_only_the_metrics_of_the_main_server(start_metrics):
    port = free_port()
    srv = start_metrics(f'enabled = true\nlisten = "127.0.0.1:{port}"\npath = "/m"')
    assert get(srv.port, "/m").status == 404  # not a route of the site: a file that is absent
    assert get(srv.port, "/").status == 200
    assert get(port, "/other").status == 404
    r, m = scrape(port, "/m")
    assert value(m, "teapot_responses_total", site="(default)", code="200") == 1
    assert value(m, "teapot_responses_total", site="(default)", code="404") == 1
    # The metrics listener's own answers are not the server's.
    assert value(m, "teapot_requests_total", site="(default)", method="GET") == 2
    promtool_check(r.body)


def wait_for_value(port: int, name: str, want: float, **labels) -> None:
    deadline = time.monotonic() + 15
    while True:
        _, m = scrape(port)
        if value(m, name, **labels) == want:
            return
        assert time.monotonic() < deadline, (name, labels, value(m, name, **labels))
        time.sleep(0.05)


def test_reloads_are_counted_by_result(start_metrics):
    srv = start_metrics()
    srv.signal(signal.SIGHUP)
    wait_for_value(srv.port, "teapot_reloads_total", 1, result="success")
    good = srv.config.read_text()
    srv.config.write_text(good + "\n[[sites]]\nbroken = \n")
    srv.signal(signal.SIGHUP)
    wait_for_value(srv.port, "teapot_reloads_total", 1, result="failure")
    _, m = scrape(srv.port)
    assert value(m, "teapot_reloads_total", result="success") == 1
    srv.config.write_text(good)


def test_a_real_prometheus_server_scrapes_them(start_metrics, tmp_path: Path):
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("prometheus is not installed (Debian package prometheus, in "
                    "deps/debian-packages.txt)")
    srv = start_metrics()
    assert get(srv.port, "/missing").status == 404
    web = free_port()
    (tmp_path / "prometheus.yml").write_text(f"""\
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: teapot
    static_configs:
      - targets: ["127.0.0.1:{srv.port}"]
""")
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen(
        [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{web}"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        query = 'teapot_responses_total{job="teapot",site="(default)",code="404"}'
        url = f"http://127.0.0.1:{web}/api/v1/query?query=" + urllib.parse.quote(query)
        deadline = time.monotonic() + 60
        result = []
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    result = json.load(resp)["data"]["result"]
                if result:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert result, (tmp_path / "prometheus.log").read_text()[-3000:]
        assert result[0]["value"][1] == "1"
        with urllib.request.urlopen(
                f"http://127.0.0.1:{web}/api/v1/targets", timeout=5) as resp:
            targets = json.load(resp)["data"]["activeTargets"]
        assert [t["health"] for t in targets] == ["up"], targets
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


# -- the status page ----------------------------------------------------------------------------

def test_the_status_page_shows_the_codes_error_paths_connections_and_sites(start_metrics):
    srv = start_metrics()
    p = srv.port
    for _ in range(3):
        assert get(p, "/missing").status == 404
    assert get(p, "/gone<b>").status == 404
    assert get(p, "/").status == 200
    assert get(p, "/private/p.txt").status == 401
    r = get(p, "/server-status")
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.header("Cache-Control") == "no-store"
    assert r.header("Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'"
    page = r.body.decode()
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert '<meta http-equiv="refresh" content="10">' in page
    assert "<script" not in page and "src=" not in page and "href=" not in page  # no assets
    assert "<tr><td>404</td><td>Not Found</td><td>4</td></tr>" in page  # window and total
    assert page.count("<tr><td>404</td><td>Not Found</td><td>4</td></tr>") == 2
    assert "<tr><td>404</td><td><code>/missing</code></td><td>3</td></tr>" in page
    assert "<tr><td>404</td><td><code>/gone&lt;b&gt;</code></td><td>1</td></tr>" in page
    assert "<tr><td>401</td><td><code>/private/p.txt</code></td><td>1</td></tr>" in page
    assert "/gone<b>" not in page
    assert "<td>other.test</td><td>mandatory_extensions</td>" in page
    assert "<td>(any host) <em>(default)</em></td><td>rate_limit &rarr; basic_auth &rarr; mandatory_extensions</td>" in page
    assert f"{WORKERS} workers" in page
    # The chart: one bar part per slot and class that served something, 2xx and 4xx here.
    assert re.search(r'<rect class="c4x" [^>]*><title>4xx: [1-5]</title></rect>', page), page
    assert re.search(r'<rect class="c2x" [^>]*><title>2xx: 1</title></rect>', page), page


def test_the_status_page_lists_each_connection_with_its_state_and_request(start_metrics,
                                                                           tmp_path: Path):
    srv = start_metrics()
    (tmp_path / "site" / "big.bin").write_bytes(b"b" * (8 * 1024 * 1024))
    busy = Conn(srv.port, source="127.0.0.3", rcvbuf=16 * 1024)
    idle = Conn(srv.port, source="127.0.0.4")
    try:
        idle.send(request("GET", "/"))
        assert idle.read_response().status == 200
        busy.send(request("GET", "/big.bin"))
        busy.receive_until(b"\r\n\r\n")  # the rest waits in the server: it is sending
        page = get(srv.port, "/server-status?x=<y>").body.decode()
        rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>(\w+)</td><td><code>([^<]*)"
                          r"</code></td><td>([\d.]+)</td></tr>", page)
        by_peer = {peer.rsplit(":", 1)[0]: (state, req) for _, peer, state, req, _ in rows}
        # The file's exchange has ended while its bytes go out: busy, with no request shown.
        assert by_peer["127.0.0.3"] == ("sending", ""), rows
        assert by_peer["127.0.0.4"] == ("waiting", ""), rows
        assert by_peer["127.0.0.1"] == ("handling", "GET /server-status?x=&lt;y&gt;"), rows
        states = [state for _, _, state, _, _ in rows]
        assert states.index("waiting") > states.index("sending")  # the busy ones first
    finally:
        busy.close()
        idle.close()


def test_the_status_page_keeps_to_the_allow_list(start_metrics):
    srv = start_metrics('enabled = true\nallow = ["127.0.0.2"]')
    assert get(srv.port, "/server-status").status == 403
    assert get(srv.port, "/server-status", source="127.0.0.2").status == 200


def test_no_status_page_when_its_path_is_empty(start_metrics):
    srv = start_metrics('enabled = true\nstatus_path = ""')
    assert get(srv.port, "/server-status").status == 404
    assert get(srv.port, "/metrics").status == 200


def test_chromium_renders_the_status_page_and_a_screenshot_is_kept(start_metrics, tmp_path):
    srv = start_metrics()
    for target in ("/", "/", "/missing", "/private/p.txt"):
        get(srv.port, target)
    url = f"http://127.0.0.1:{srv.port}/server-status"
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    p = subprocess.run(base + [f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    dom = p.stdout.decode()
    assert "<h1>teapot status</h1>" in dom, dom
    assert 'id="chart"' in dom and "<rect class=\"c2x\"" in dom, dom
    assert "<td>/missing</td>" not in dom and "<code>/missing</code>" in dom, dom
    shot = tmp_path / "status.png"
    p = subprocess.run(base + [f"--user-data-dir={tmp_path / 'profile2'}", "--window-size=900,1400",
                               f"--screenshot={shot}", url],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0 and shot.is_file() and shot.stat().st_size > 1000, p.stderr[-2000:]
    print(f"status page screenshot: {shot}")


def test_serve_with_the_metrics_flag_answers_both_paths_to_this_machine(start_server, tmp_path):
    require(TEAPOT_BIN, "teapot")
    root = tmp_path / "files"
    root.mkdir()
    (root / "a.txt").write_bytes(b"a\n")
    srv = start_server([TEAPOT_BIN, "serve", root, "--metrics", "--workers", "2"], "flag")
    assert get(srv.port, "/a.txt").status == 200
    assert get(srv.port, "/b.txt").status == 404
    r, m = scrape(srv.port)
    assert value(m, "teapot_responses_total", site="(default)", code="200") == 1
    assert value(m, "teapot_responses_total", site="(default)", code="404") == 1
    promtool_check(r.body)
    assert get(srv.port, "/server-status").status == 200
    assert get(srv.port, "/metrics", source="127.0.0.2").status == 200  # 127.0.0.0/8


def test_http2_streams_are_counted_like_requests_and_their_connection_when_it_ends(start_metrics):
    srv = start_metrics(server_extra="h2c = true")
    with H2Conn.plain(srv.port) as c:
        assert c.get("/").status == 200
        assert c.get("/missing").status == 404
        assert c.get("/limited/a.txt").status == 200
        assert c.get("/limited/a.txt").status == 429
    # The connection's own counts join when the server has seen it end.
    deadline = time.monotonic() + 10
    while True:
        _, m = scrape(srv.port)
        if value(m, "teapot_http2_streams_total", head="accepted") == 4 or \
                time.monotonic() > deadline:
            break
        time.sleep(0.05)
    site = "(default)"
    assert value(m, "teapot_responses_total", site=site, code="200") == 2
    assert value(m, "teapot_responses_total", site=site, code="404") == 1
    assert value(m, "teapot_responses_total", site=site, code="429") == 1
    assert value(m, "teapot_http2_connections_total") == 1
    assert value(m, "teapot_http2_streams_total", head="accepted") == 4
    assert value(m, "teapot_http2_protections_total", kind="rapid_reset") == 0
