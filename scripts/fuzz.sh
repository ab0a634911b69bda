#!/bin/sh
# Builds every libFuzzer target (preset `fuzz`, clang, ASan+UBSan) and runs each for the given
# number of seconds (default 60) on a copy of its seed corpus. Exits non-zero on a finding.
# Usage: scripts/fuzz.sh [SECONDS]
set -eu
seconds="${1:-60}"
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
  work="$(mktemp -d)"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  echo "== $name for ${seconds}s"
  if ! (cd "$work" && "$target" -max_total_time="$seconds" -print_final_stats=1 "$work"); then
    echo "!! $name found a crash; its input is in $work" >&2
    status=1
    continue
  fi
  rm -rf "$work"
done
exit "$status"
