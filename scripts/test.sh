#!/usr/bin/env bash
# Installs what is missing, builds with ASan and UBSan, and runs every test ring: static
# checks, unit tests, integration tests against the real binary, and a short fuzz run.
# FUZZ_SECONDS (default 30) is each fuzz target's run (ten targets: five minutes); 0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== static checks"
python3 scripts/check-includes.py
git ls-files -co --exclude-standard -- '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

echo "== build (debug: ASan + UBSan, warnings are errors)"
cmake --preset debug >/dev/null
cmake --build --preset debug

echo "== unit tests"
# One line per test case is noise at this count: keep failures and the summary.
ctest --preset debug -j2 | grep -vE '^ *(Start +[0-9]+:|[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed)'

if [ "${FUZZ_SECONDS:-30}" != 0 ]; then  # libFuzzer reads a time of 0 as "no limit"
  echo "== fuzz"
  scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
fi

echo "== integration tests"
TEAPOT_BIN="$PWD/build/debug/teapot" TEAPOT_EXAMPLES_DIR="$PWD/build/debug/examples" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
