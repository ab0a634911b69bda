#!/usr/bin/env bash
# Builds the `tsan` preset (ThreadSanitizer, GCC) and runs under it the unit tests, the spec
# ring, and the integration tests whose servers run threads side by side: several workers, the
# blocking-work pool, reloads and log reopening from the signal thread, deferred responses and
# body writers fed from other threads. Any report fails the run: halt_on_error makes the
# process exit non-zero, and the integration fixtures also fail a test whose server printed one.
# The proxy's gibibyte transfer is deselected: its memory bound means nothing with TSan's shadow
# memory, and it takes minutes at TSan's speed; its threads are those of the other proxy tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-suppressions.txt"

cmake --preset tsan >/dev/null
cmake --build --preset tsan

echo "== ThreadSanitizer: unit tests and spec ring"
# One process per executable, not ctest's one per case: under TSan each start costs, and
# 1,300 of them take longer than the tests.
for t in build/tsan/tests/unit_* build/tsan/tests/spec_ring; do
  [ -x "$t" ] || continue
  echo "-- $(basename "$t")"
  "$t" --gtest_brief=1 | grep -vE '^Running main\(\) from '
done

echo "== ThreadSanitizer: integration tests that run threads"
# Chosen for their threads; the rest of the suite runs one worker at a time or nothing
# concurrent, and runs under ASan+UBSan anyway.
#   streaming_and_blocking: uploads held while the pool reads them, pool sleeps, from_thread
#   work_off_the_loop:      bcrypt checks on the pool while the loops answer
#   streamed_responses:     body_writer fed from pool threads, with backpressure and cancel
#   reload:                 SIGHUP/SIGUSR1 from the signal thread while two workers serve
#   examples:               deferred responses (hello, jobs), posts back to the loop
#   overload:               the connection cap shared by two workers
#   logs:                   two workers handing lines to the log writer thread
#   compression:            files coded on the pool, two workers
#   policies:               rate-limit buckets and the maintenance trigger shared by workers
#   lifecycle_and_cli:      graceful stop and drain from the signal thread
#   webdav_methods:         every WebDAV method on the pool, 102 timers, the store's mutex
#   webdav_integrity:       concurrent uploads of one file, uploads cut by the client or a kill
#   descriptor_limit:       a server at its descriptor cap (UBSan cannot run there: see the file)
#   systemd:                workers accepting from sockets passed by systemd-socket-activate,
#                           plain and TLS (one set of contexts), and a SIGHUP that renews it
#   metrics:                counts copied on each loop and added up on the last one to answer
#   tls:                    TLS connections on two workers sharing one set of contexts
#   tls_reload:             certificate sets adopted by two workers, ticket keys rotated
#   h2:                     HTTP/2 streams of one connection with uploads on the pool
#   websocket:              messages sent from other threads and other workers' loops
#   proxy:                  upstream connections on two workers' loops, one round robin
#   proxy_balancing:        least connections counted by two workers, a health-check thread
#                           whose flags the loops read
#   proxy_websocket:        WebSockets through the proxy on two workers, tunnels handed from
#                           an upstream exchange to the client's connection
#   proxy_tls:              TLS upstream connections kept by two workers' pools, one client
#                           context shared, and a health-check thread's handshakes
#   forward_proxy_h2:       CONNECT tunnels on HTTP/2 streams of two workers, destinations'
#                           sockets on the streams' loops
#   delta_encoding:         a site's store of versions, filled and read on pool threads
#   websocket_cases:        hundreds of WebSockets on two workers, messages up to 16 MiB,
#                           Chromium's compressed ones
#   websocket_h2:           WebSockets on HTTP/2 streams of two workers, idle timers on their
#                           loops, a graceful stop with WebSockets open
TEAPOT_BIN="$PWD/build/tsan/teapot" TEAPOT_EXAMPLES_DIR="$PWD/build/tsan/examples" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider \
  tests/integration/test_streaming_and_blocking.py \
  tests/integration/test_work_off_the_loop.py \
  tests/integration/test_streamed_responses.py \
  tests/integration/test_reload.py \
  tests/integration/test_examples.py \
  tests/integration/test_overload.py \
  tests/integration/test_logs.py \
  tests/integration/test_compression.py \
  tests/integration/test_delta_encoding.py \
  tests/integration/test_policies.py \
  tests/integration/test_lifecycle_and_cli.py \
  tests/integration/test_webdav_methods.py \
  tests/integration/test_webdav_integrity.py \
  tests/integration/test_descriptor_limit.py \
  tests/integration/test_systemd.py \
  tests/integration/test_metrics.py \
  tests/integration/test_tls.py \
  tests/integration/test_tls_reload.py \
  tests/integration/test_h2.py \
  tests/integration/test_websocket.py \
  tests/integration/test_websocket_h2.py \
  tests/integration/test_proxy.py \
  tests/integration/test_proxy_connections.py \
  tests/integration/test_proxy_balancing.py \
  tests/integration/test_proxy_websocket.py \
  tests/integration/test_proxy_tls.py \
  tests/integration/test_forward_proxy_h2.py \
  --deselect tests/integration/test_proxy_connections.py::test_a_gibibyte_each_way_streams_byte_exact_with_bounded_memory \
  tests/integration/test_websocket_cases.py
