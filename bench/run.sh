#!/bin/sh
# Builds the release teapot and measures it beside lightspeed, nginx, h2o and lighttpd with
# peerbench (../shared/peerbench). Extra arguments go to peerbench and win over the defaults
# below, e.g.  bench/run.sh --duration 3 --rounds 1   or   bench/run.sh --workloads close
# With --revalidate first, the run goes through bench/revalidate.py and has its 304 workloads
# (inm304, ims304) as defaults: bench/run.sh --revalidate --servers nginx,h2o
# Environment: PEERBENCH (path of peerbench's run.sh), OUT (result folder).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
peerbench=${PEERBENCH:-"$repo/../shared/peerbench/run.sh"}
out=${OUT:-"$repo/build/bench/$(date +%Y%m%d-%H%M%S)"}

if [ ! -x "$peerbench" ] && [ ! -f "$peerbench" ]; then
  echo "bench/run.sh: peerbench not found at $peerbench (set PEERBENCH)" >&2
  exit 2
fi

cd "$repo"
# The release preset also builds micro-benchmarks from bench/CMakeLists.txt when that exists.
if [ -f bench/CMakeLists.txt ]; then
  cmake --preset release
else
  cmake --preset release -DTEAPOT_BENCH=OFF
fi
cmake --build --preset release --target teapot_cli

mkdir -p "$out"
echo "bench/run.sh: results go to $out" >&2
workloads=hello,pipe16
runner=sh
if [ "${1:-}" = "--revalidate" ]; then
  shift
  workloads=inm304,ims304,4k
  export PEERBENCH_PY="$(dirname "$peerbench")/peerbench.py"
  peerbench="$repo/bench/revalidate.py"
  runner=python3
fi
exec "$runner" "$peerbench" \
  --servers lightspeed,nginx,h2o,lighttpd \
  --server "teapot=$repo/build/release/teapot serve {root} --listen 127.0.0.1:{port} --workers 1" \
  --workloads "$workloads" \
  --conns 256 \
  --out "$out" \
  "$@"
