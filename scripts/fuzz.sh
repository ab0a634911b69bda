#!/bin/sh
# Builds every libFuzzer target (preset `fuzz`, clang, ASan+UBSan) and runs each in turn for the
# given number of seconds (default 30) on a copy of its seed corpus, fuzz/corpus/<target>/; the
# whole run takes that times the number of targets. Exits non-zero on a finding, after running
# the other targets, and leaves each finding's input in a folder it names.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]
set -eu
seconds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_all
build="$root/build/fuzz/fuzz"
status=0
for target in "$build"/fuzz_*; do
  [ -x "$target" ] || continue
  name="$(basename "$target")"
  seeds="$root/fuzz/corpus/${name#fuzz_}"
  if [ ! -d "$seeds" ]; then
    echo "!! $name has no seed corpus in fuzz/corpus/${name#fuzz_}/" >&2
    status=1
    continue
  fi
  work="$(mktemp -d)"
  cp -r "$seeds"/. "$work"/
  echo "== $name for ${seconds}s"
  if ! (cd "$work" && "$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    "$work"); then
    echo "!! $name found a crash; its input is in $work" >&2
    status=1
    continue
  fi
  rm -rf "$work"
done
exit "$status"
