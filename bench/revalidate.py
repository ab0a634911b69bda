#!/usr/bin/env python3
"""peerbench with revalidation workloads: caches asking whether their copy is still fresh.

Runs ../shared/peerbench/peerbench.py (or $PEERBENCH_PY) with two more workloads, each a GET of
/4k.bin that every server answers with 304 Not Modified and no body:

  inm304  If-None-Match with the ETag that server gave for the file (asked once before the
          run, since every server makes its tags its own way)
  ims304  If-Modified-Since with that server's Last-Modified

All of peerbench's options pass through, e.g.
  bench/revalidate.py --servers nginx,h2o --workloads inm304,ims304,4k --server 'teapot=...'
(bench/run.sh --revalidate does this with the release teapot).
"""
import os
import sys
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
peerbench_py = Path(os.environ.get("PEERBENCH_PY", repo.parent / "shared" / "peerbench" / "peerbench.py"))
sys.path.insert(0, str(peerbench_py.parent))
import peerbench  # noqa: E402

VALIDATOR = {"inm304": ("ETag", "If-None-Match"), "ims304": ("Last-Modified", "If-Modified-Since")}
for name in VALIDATOR:
    peerbench.WORKLOADS[name] = dict(path="/4k.bin", depth=1, close=False, ls=None)


def validator_of(port, path, field):
    """The value of field in the server's 200 for path (status line and fields only)."""
    head = peerbench.http_get(port, path).split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == field.lower():
            return value.strip()
    raise RuntimeError(f"port {port}: no {field} on {path}:\n{head}")


plain_wrk_cmd = peerbench.wrk_cmd


def wrk_cmd(args, port, wl, conns, duration, script):
    cmd = plain_wrk_cmd(args, port, wl, conns, duration, script)
    if wl in VALIDATOR:
        field, condition = VALIDATOR[wl]
        value = validator_of(port, peerbench.WORKLOADS[wl]["path"], field)
        cmd[-1:-1] = ["-H", f"{condition}: {value}"]
    return cmd


peerbench.wrk_cmd = wrk_cmd

if __name__ == "__main__":
    sys.argv[0] = str(peerbench_py)
    peerbench.main()
