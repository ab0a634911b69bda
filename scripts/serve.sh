#!/usr/bin/env bash
# Installs what is missing, builds the release binary and serves examples/site on
# 127.0.0.1:8080 (extra arguments go to `teapot serve`, e.g. --listen 127.0.0.1:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target teapot_cli
exec build/release/teapot serve examples/site "$@"
