#!/usr/bin/env bash
# Static analysis of src/ and include/: clang-tidy (the checks of .clang-tidy, reasons there)
# and cppcheck (its warning, performance and portability classes). Any finding fails: fix it,
# or suppress it at its line with the reason (// NOLINT(check) or // cppcheck-suppress id).
# Needs build/debug/compile_commands.json (the debug build writes it).
set -euo pipefail
cd "$(dirname "$0")/.."

db=build/debug
if [ ! -f "$db/compile_commands.json" ]; then
  echo "analyze: no $db/compile_commands.json; build the debug preset first" >&2
  exit 2
fi

echo "== clang-tidy"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Every translation unit of src/; headers of src/ and include/ through them (HeaderFilterRegex).
run-clang-tidy -p "$db" -j 2 -quiet "$PWD/src/" >"$log" 2>&1 || true
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^/.*: (warning|error):' | sort -u || true)
if [ -n "$findings" ]; then
  echo "$findings"
  echo "clang-tidy: $(echo "$findings" | wc -l) finding(s)" >&2
  exit 1
fi
echo "clang-tidy: no finding"

echo "== cppcheck"
cppcheck --std=c++20 --language=c++ -I include -I src \
  --enable=warning,performance,portability --inline-suppr --quiet \
  --suppress=missingIncludeSystem --suppress=missingInclude \
  -j 2 --error-exitcode=1 src include
echo "cppcheck: no finding"
