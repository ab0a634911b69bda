#!/usr/bin/env bash
# Installs what is missing, builds with ASan and UBSan, and runs every test ring: static
# checks, static analysis (clang-tidy, cppcheck), unit tests and the spec ring, integration
# tests against the real binary, and a short run of every fuzz target; then
# builds with ThreadSanitizer and runs the unit tests and the threaded integration tests again.
# FUZZ_SECONDS (default 20) is each fuzz target's run (21 targets: seven minutes); 0 skips it.
# TSAN=0 skips the TSan stage.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== static checks"
python3 scripts/check-includes.py
git ls-files -co --exclude-standard -- '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

echo "== build (debug: ASan + UBSan, warnings are errors)"
cmake --preset debug >/dev/null
cmake --build --preset debug

echo "== static analysis (clang-tidy, cppcheck)"
scripts/analyze.sh

echo "== unit tests"
# One line per test case is noise at this count: keep failures and the summary.
ctest --preset debug -j2 | grep -vE '^ *(Start +[0-9]+:|[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed)'

if [ "${FUZZ_SECONDS:-20}" != 0 ]; then  # libFuzzer reads a time of 0 as "no limit"
  echo "== fuzz"
  scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
fi

echo "== integration tests"
TEAPOT_BIN="$PWD/build/debug/teapot" TEAPOT_EXAMPLES_DIR="$PWD/build/debug/examples" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration

if [ "${TSAN:-1}" != 0 ]; then
  echo "== ThreadSanitizer (tsan preset)"
  scripts/tsan.sh
fi
