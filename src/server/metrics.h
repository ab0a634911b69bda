// What the server counts for its metrics (server_options::metrics): per worker, in plain
// integers that only the worker's own thread writes. A scrape asks each worker, on its loop,
// for a copy (worker::snapshot_metrics), adds the copies up and renders them in the Prometheus
// text format, so that nothing shared is written on the hot path and no counter needs an
// atomic.
// Thread contract: a worker_metrics belongs to one worker's thread; metrics_totals and the
// rendering are plain values and functions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "h1/parse_error.h"
#include "h2/session_counters.h"
#include "teapot/http/status.h"
#include "teapot/site.h"

namespace teapot::srv {

// Any code a response may carry: 100 to 599.
inline constexpr int first_code = 100;
inline constexpr std::size_t code_slots = 500;
// Request durations' histogram bounds, in milliseconds (the clock the exchange keeps).
inline constexpr std::array<std::uint32_t, 12> duration_bounds_ms = {
    1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
// The methods counted by name; any other is counted as "other", so that a client inventing
// methods cannot grow the output.
inline constexpr std::array<std::string_view, 16> counted_methods = {
    "GET",   "HEAD",     "POST",      "PUT",   "DELETE", "CONNECT", "OPTIONS", "TRACE",
    "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",   "MOVE",    "LOCK",    "UNLOCK"};
inline constexpr std::size_t parse_error_slots =
    static_cast<std::size_t>(h1::parse_error::unsupported_version) + 1;

// The counts of one site (by its name, see site_label).
struct site_metrics {
  std::array<std::uint64_t, code_slots> by_code{};
  std::array<std::uint64_t, counted_methods.size() + 1> by_method{};    // last: other
  std::array<std::uint64_t, duration_bounds_ms.size() + 1> duration{};  // per bucket, last +Inf
  std::uint64_t duration_sum_ms = 0;
  std::uint64_t bytes_in = 0;   // request heads and content as received
  std::uint64_t bytes_out = 0;  // response content, as the access log counts it
  // (step name, code) -> answers a pipeline step gave itself (rate limit 429, auth 401 ...).
  std::map<std::pair<std::string, int>, std::uint64_t> step_answers{};

  void add(const site_metrics& other);
};

// The status page's recent history: 10-second slots over the last 10 minutes, by the loops'
// monotonic clock (one clock for every worker, so slots line up when added).
inline constexpr std::int64_t recent_slot_ms = 10'000;
inline constexpr std::size_t recent_slots = 60;
// Codes told apart per slot; more distinct codes in one slot count in their class only.
inline constexpr std::size_t codes_per_slot = 16;

struct recent_slot {
  std::int64_t epoch = -1;                  // monotonic ms / recent_slot_ms; -1: empty
  std::array<std::uint32_t, 5> by_class{};  // 1xx .. 5xx
  std::array<std::pair<std::uint16_t, std::uint32_t>, codes_per_slot> codes{};
  std::uint8_t code_count = 0;

  void count(int code) noexcept;
  void add(const recent_slot& other) noexcept;
};

// An error response's path, and how often (approximately, see top_error_paths).
struct error_path {
  int code = 0;
  std::string path;
  std::uint64_t count = 0;
};

// The most frequent (code, path) pairs of 4xx and 5xx responses, in bounded memory: when the
// table is full, a new pair takes the place of the least counted one and inherits its count
// (the Space-Saving algorithm). A pair counted more than total / capacity times is never pushed
// out by a flood of distinct paths, and no count is too low (one may be too high by what it
// inherited).
class top_error_paths {
 public:
  static constexpr std::size_t capacity = 64;
  static constexpr std::size_t longest_path = 200;  // longer paths are cut
  void count(int code, std::string_view path);
  const std::vector<error_path>& entries() const noexcept { return entries_; }

 private:
  std::vector<error_path> entries_;
};

// A connection as the status page lists it.
struct connection_row {
  unsigned worker = 0;  // 1-based
  std::string peer;
  std::string_view state;   // "waiting", "reading", "handling", "sending", "closing"
  std::string request;      // "GET /path" while one is in progress; cut at 120 bytes
  std::int64_t for_ms = 0;  // in its current request; 0 while it waits for one
};

// What the status page shows besides the totals.
struct status_view {
  std::array<recent_slot, recent_slots> recent{};                // by epoch % recent_slots
  std::vector<error_path> errors;                                // every worker's, added up by pair
  std::vector<std::pair<std::uint64_t, std::uint64_t>> workers;  // open, waiting per worker
  std::vector<connection_row> connections;  // the busy ones first, at most 100 per worker

  void add(const status_view& other);
};

// One response, as it is counted.
struct counted_response {
  const site* where = nullptr;  // null: answered before a site was chosen
  int code = 0;
  std::string_view method;  // empty when the request line could not be parsed
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::int64_t duration_ms = -1;        // negative: unknown
  const policy* answered_by = nullptr;  // the step that answered, if one did
  std::string_view path;                // the normalized path, for the error table
  std::int64_t at_ms = -1;              // the loop's monotonic clock; negative: not recent
};

// The label a site is counted under: its first host name, "(default)" for a site without
// one, "(none)" before a site is chosen (a malformed request, 421 with strict hosts).
std::string site_label(const site* s);

// TLS connections by how their handshake ended, counted when each connection ends.
struct tls_counts {
  std::uint64_t full = 0;            // a full handshake
  std::uint64_t resumed = 0;         // a session resumed (ticket or PSK)
  std::uint64_t failed = 0;          // refused: an alert was sent
  std::uint64_t incomplete = 0;      // the connection ended before the handshake did
  std::uint64_t early_accepted = 0;  // TLS 1.3 early data read (RFC 8446 §4.2.10)
  std::uint64_t early_rejected = 0;  // early data the client sent, skipped unread

  void add(const tls_counts& o) noexcept {
    full += o.full;
    resumed += o.resumed;
    failed += o.failed;
    incomplete += o.incomplete;
    early_accepted += o.early_accepted;
    early_rejected += o.early_rejected;
  }
};

// The sums over every worker, or one worker's copy.
struct metrics_totals {
  std::map<std::string, site_metrics, std::less<>> sites{};
  std::array<std::uint64_t, parse_error_slots> parse_errors{};
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  // the overload 503 (max_connections, per address)
  std::uint64_t connections_open = 0;     // at the scrape
  std::uint64_t connections_waiting = 0;  // idle or sending a head, at the scrape
  std::uint64_t compression_cache_hits = 0;
  std::uint64_t compression_cache_misses = 0;
  // HTTP/2: connections that became HTTP/2, and their sessions' counts, added when each
  // connection ends.
  std::uint64_t h2_connections = 0;
  h2::session_counters h2{};
  tls_counts tls{};
  status_view status;  // filled for the status page only

  void add(const metrics_totals& other);
};

// What the server itself knows besides the workers' counts.
struct server_metrics {
  unsigned workers = 0;
  std::uint64_t reloads_succeeded = 0;
  std::uint64_t reloads_failed = 0;
  std::uint64_t access_log_lines_dropped = 0;
  std::uint64_t error_log_lines_dropped = 0;
  std::uint64_t start_time_seconds = 0;  // Unix time
};

// The Prometheus text exposition format, version 0.0.4: HELP and TYPE for every family, then
// its samples; codes and methods never seen are left out.
std::string render_prometheus(const metrics_totals& totals, const server_metrics& server);

// A worker's counts. Written on its thread only; copied there for a scrape.
class worker_metrics {
 public:
  void count(const counted_response& r);
  void count_parse_error(h1::parse_error e) noexcept {
    ++totals_.parse_errors[static_cast<std::size_t>(e)];
  }
  void count_accepted() noexcept { ++totals_.connections_accepted; }
  void count_refused() noexcept { ++totals_.connections_refused; }
  void count_h2_connection() noexcept { ++totals_.h2_connections; }
  // An HTTP/2 connection has ended: its session's counts join the worker's.
  void count_h2_session(const h2::session_counters& c) noexcept;
  // A TLS connection has ended: how its handshake went.
  void count_tls(const tls_counts& c) noexcept { totals_.tls.add(c); }
  // Site pointers of a set being left may be reused by the next: the cache goes with it.
  void forget_sites() noexcept;
  // A copy with the gauges filled in.
  metrics_totals snapshot(std::uint64_t open, std::uint64_t waiting, std::uint64_t cache_hits,
                          std::uint64_t cache_misses, bool with_status = false) const;

 private:
  site_metrics& of(const site* s);

  metrics_totals totals_;
  std::array<recent_slot, recent_slots> recent_{};
  top_error_paths errors_;
  const site* last_site_ = nullptr;
  site_metrics* last_ = nullptr;
  std::unordered_map<const site*, site_metrics*> by_site_;
};

}  // namespace teapot::srv
