#include "server/metrics.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace teapot::srv {

namespace {

template <std::size_t N>
void add_all(std::array<std::uint64_t, N>& to, const std::array<std::uint64_t, N>& from) {
  for (std::size_t i = 0; i < N; ++i)
    to[i] += from[i];
}

std::size_t method_slot(std::string_view method) noexcept {
  const auto* it = std::find(counted_methods.begin(), counted_methods.end(), method);
  return static_cast<std::size_t>(std::distance(counted_methods.begin(), it));
}

std::size_t duration_slot(std::int64_t ms) noexcept {
  std::size_t i = 0;
  while (i < duration_bounds_ms.size() && static_cast<std::uint64_t>(ms) > duration_bounds_ms[i])
    ++i;
  return i;
}

// A label value: '\', '"' and line feeds escaped, as the text format requires.
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

class writer {
 public:
  explicit writer(std::string& out) : out_(out) {}

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }

  // name{l1="v1",l2="v2"} value
  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              std::uint64_t value) {
    begin(name, labels);
    out_.append(std::to_string(value)).append("\n");
  }
  // A count of milliseconds, written in seconds with its three decimals exact.
  void sample_ms_as_seconds(
      std::string_view name,
      std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
      std::uint64_t ms) {
    begin(name, labels);
    char buf[32];
    const int n =
        std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(ms / 1000),
                      static_cast<unsigned long long>(ms % 1000));
    out_.append(buf, static_cast<std::size_t>(n)).append("\n");
  }

 private:
  void begin(std::string_view name,
             std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
    out_.append(name);
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_.append(k).append("=\"");
        append_label_value(out_, v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
  }

  std::string& out_;
};

std::string seconds_text(std::uint32_t ms) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%g", static_cast<double>(ms) / 1000.0);
  return {buf, static_cast<std::size_t>(n)};
}

void render_sites(writer& w, const metrics_totals& t) {
  w.family("teapot_responses_total", "counter", "Final responses, by site and status code.");
  for (const auto& [site, m] : t.sites)
    for (std::size_t i = 0; i < code_slots; ++i)
      if (m.by_code[i] != 0)
        w.sample("teapot_responses_total",
                 {{"site", site}, {"code", std::to_string(first_code + static_cast<int>(i))}},
                 m.by_code[i]);

  w.family("teapot_requests_total", "counter",
           "Requests answered, by site and method (\"other\" for methods not listed).");
  for (const auto& [site, m] : t.sites)
    for (std::size_t i = 0; i < m.by_method.size(); ++i)
      if (m.by_method[i] != 0)
        w.sample(
            "teapot_requests_total",
            {{"site", site}, {"method", i < counted_methods.size() ? counted_methods[i] : "other"}},
            m.by_method[i]);

  w.family("teapot_request_duration_seconds", "histogram",
           "From a request's first byte read to its response handed to the connection.");
  for (const auto& [site, m] : t.sites) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < duration_bounds_ms.size(); ++i) {
      cumulative += m.duration[i];
      w.sample("teapot_request_duration_seconds_bucket",
               {{"site", site}, {"le", seconds_text(duration_bounds_ms[i])}}, cumulative);
    }
    cumulative += m.duration.back();
    w.sample("teapot_request_duration_seconds_bucket", {{"site", site}, {"le", "+Inf"}},
             cumulative);
    w.sample_ms_as_seconds("teapot_request_duration_seconds_sum", {{"site", site}},
                           m.duration_sum_ms);
    w.sample("teapot_request_duration_seconds_count", {{"site", site}}, cumulative);
  }

  w.family("teapot_received_bytes_total", "counter",
           "Bytes of request heads and content received, by site.");
  for (const auto& [site, m] : t.sites)
    w.sample("teapot_received_bytes_total", {{"site", site}}, m.bytes_in);
  w.family("teapot_sent_bytes_total", "counter", "Bytes of response content sent, by site.");
  for (const auto& [site, m] : t.sites)
    w.sample("teapot_sent_bytes_total", {{"site", site}}, m.bytes_out);

  w.family("teapot_step_answers_total", "counter",
           "Responses a pipeline step gave itself (rate_limit 429, basic_auth 401 and 403, "
           "maintenance 503, ...), by site, step and code.");
  for (const auto& [site, m] : t.sites)
    for (const auto& [key, n] : m.step_answers)
      w.sample("teapot_step_answers_total",
               {{"site", site}, {"step", key.first}, {"code", std::to_string(key.second)}}, n);
}

void render_server(writer& w, const metrics_totals& t, const server_metrics& s) {
  w.family("teapot_parse_errors_total", "counter",
           "Requests refused by the HTTP/1.1 parser, by reason.");
  for (std::size_t i = 0; i < parse_error_slots; ++i)
    if (t.parse_errors[i] != 0)
      w.sample("teapot_parse_errors_total",
               {{"kind", h1::name_of(static_cast<h1::parse_error>(i))}}, t.parse_errors[i]);

  w.family("teapot_connections_accepted_total", "counter", "Connections accepted.");
  w.sample("teapot_connections_accepted_total", {}, t.connections_accepted);
  w.family("teapot_connections_refused_total", "counter",
           "Connections answered 503 at the connection caps (overload).");
  w.sample("teapot_connections_refused_total", {}, t.connections_refused);
  w.family("teapot_connections_open", "gauge", "Connections open now.");
  w.sample("teapot_connections_open", {}, t.connections_open);
  w.family("teapot_connections_idle", "gauge",
           "Open connections that wait for a request (idle, or sending a head).");
  w.sample("teapot_connections_idle", {}, t.connections_waiting);

  w.family("teapot_http2_connections_total", "counter", "Connections that became HTTP/2.");
  w.sample("teapot_http2_connections_total", {}, t.h2_connections);
  w.family("teapot_http2_streams_total", "counter",
           "HTTP/2 requests, by what became of their head (of connections that have ended).");
  w.sample("teapot_http2_streams_total", {{"head", "accepted"}}, t.h2.requests);
  w.sample("teapot_http2_streams_total", {{"head", "over_limit"}}, t.h2.rejected_requests);
  w.sample("teapot_http2_streams_total", {{"head", "malformed"}}, t.h2.malformed_requests);
  w.sample("teapot_http2_streams_total", {{"head", "refused"}}, t.h2.refused_streams);
  w.sample("teapot_http2_streams_total", {{"head", "hpack_bomb"}}, t.h2.header_lists_over_cap);
  w.family("teapot_http2_client_resets_total", "counter",
           "RST_STREAM frames from HTTP/2 clients, and those on streams not answered yet.");
  w.sample("teapot_http2_client_resets_total", {{"stream", "any"}}, t.h2.client_resets);
  w.sample("teapot_http2_client_resets_total", {{"stream", "unanswered"}}, t.h2.unanswered_resets);
  w.family("teapot_http2_protections_total", "counter",
           "HTTP/2 connections ended by a protection (GOAWAY), by which.");
  w.sample("teapot_http2_protections_total", {{"kind", "rapid_reset"}}, t.h2.rapid_reset_goaways);
  w.sample("teapot_http2_protections_total", {{"kind", "control_flood"}},
           t.h2.control_flood_goaways);
  w.sample("teapot_http2_protections_total", {{"kind", "continuation_flood"}},
           t.h2.continuation_flood_goaways);
  w.sample("teapot_http2_protections_total", {{"kind", "unread_acks"}}, t.h2.unread_ack_floods);
  w.sample("teapot_http2_protections_total", {{"kind", "stream_id_regression"}},
           t.h2.stream_id_regressions);
  w.family("teapot_tls_handshakes_total", "counter",
           "TLS connections by how their handshake ended (of connections that have ended).");
  w.sample("teapot_tls_handshakes_total", {{"result", "full"}}, t.tls.full);
  w.sample("teapot_tls_handshakes_total", {{"result", "resumed"}}, t.tls.resumed);
  w.sample("teapot_tls_handshakes_total", {{"result", "failed"}}, t.tls.failed);
  w.sample("teapot_tls_handshakes_total", {{"result", "incomplete"}}, t.tls.incomplete);
  w.family("teapot_tls_early_data_total", "counter",
           "TLS 1.3 connections whose client sent early data, read or skipped.");
  w.sample("teapot_tls_early_data_total", {{"result", "accepted"}}, t.tls.early_accepted);
  w.sample("teapot_tls_early_data_total", {{"result", "rejected"}}, t.tls.early_rejected);
  w.family("teapot_http2_stalled_streams_total", "counter",
           "HTTP/2 responses reset (CANCEL) because the client's flow-control window held them "
           "back for send_timeout.");
  w.sample("teapot_http2_stalled_streams_total", {}, t.h2.stalled_streams);

  w.family("teapot_compression_cache_hits_total", "counter",
           "Compressed bodies served from the per-worker cache.");
  w.sample("teapot_compression_cache_hits_total", {}, t.compression_cache_hits);
  w.family("teapot_compression_cache_misses_total", "counter",
           "Compressed bodies looked for in the cache and not found.");
  w.sample("teapot_compression_cache_misses_total", {}, t.compression_cache_misses);

  w.family("teapot_log_lines_dropped_total", "counter",
           "Log lines dropped because the disk did not keep up, by log.");
  w.sample("teapot_log_lines_dropped_total", {{"log", "access"}}, s.access_log_lines_dropped);
  w.sample("teapot_log_lines_dropped_total", {{"log", "error"}}, s.error_log_lines_dropped);

  w.family("teapot_reloads_total", "counter", "Configuration reloads (SIGHUP), by result.");
  w.sample("teapot_reloads_total", {{"result", "success"}}, s.reloads_succeeded);
  w.sample("teapot_reloads_total", {{"result", "failure"}}, s.reloads_failed);

  w.family("teapot_workers", "gauge", "Worker threads, each with its event loop.");
  w.sample("teapot_workers", {}, static_cast<std::uint64_t>(s.workers));
  w.family("teapot_start_time_seconds", "gauge", "When the server started, in Unix time.");
  w.sample("teapot_start_time_seconds", {}, s.start_time_seconds);
}

}  // namespace

void site_metrics::add(const site_metrics& other) {
  add_all(by_code, other.by_code);
  add_all(by_method, other.by_method);
  add_all(duration, other.duration);
  duration_sum_ms += other.duration_sum_ms;
  bytes_in += other.bytes_in;
  bytes_out += other.bytes_out;
  for (const auto& [key, n] : other.step_answers)
    step_answers[key] += n;
}

void metrics_totals::add(const metrics_totals& other) {
  for (const auto& [name, m] : other.sites)
    sites[name].add(m);
  add_all(parse_errors, other.parse_errors);
  connections_accepted += other.connections_accepted;
  connections_refused += other.connections_refused;
  h2_connections += other.h2_connections;
  h2::add(h2, other.h2);
  tls.add(other.tls);
  connections_open += other.connections_open;
  connections_waiting += other.connections_waiting;
  compression_cache_hits += other.compression_cache_hits;
  compression_cache_misses += other.compression_cache_misses;
  status.add(other.status);
}

void recent_slot::count(int code) noexcept {
  const int cls = code / 100;
  if (cls >= 1 && cls <= 5) ++by_class[static_cast<std::size_t>(cls - 1)];
  const auto c = static_cast<std::uint16_t>(code);
  for (std::size_t i = 0; i < code_count; ++i)
    if (codes[i].first == c) {
      ++codes[i].second;
      return;
    }
  if (code_count < codes.size()) codes[code_count++] = {c, 1};
}

void recent_slot::add(const recent_slot& other) noexcept {
  if (other.epoch < 0) return;
  if (epoch != other.epoch) {
    if (epoch > other.epoch) return;  // this one is newer: the other is past the window
    *this = recent_slot{};
    epoch = other.epoch;
  }
  for (std::size_t i = 0; i < by_class.size(); ++i)
    by_class[i] += other.by_class[i];
  for (std::size_t i = 0; i < other.code_count; ++i) {
    const auto [code, n] = other.codes[i];
    std::size_t j = 0;
    while (j < code_count && codes[j].first != code)
      ++j;
    if (j < code_count)
      codes[j].second += n;
    else if (code_count < codes.size())
      codes[code_count++] = {code, n};
  }
}

void top_error_paths::count(int code, std::string_view path) {
  path = path.substr(0, longest_path);
  error_path* least = nullptr;
  for (error_path& e : entries_) {
    if (e.code == code && e.path == path) {
      ++e.count;
      return;
    }
    if (least == nullptr || e.count < least->count) least = &e;
  }
  if (entries_.size() < capacity) {
    entries_.push_back({code, std::string(path), 1});
    return;
  }
  least->code = code;
  least->path.assign(path);
  ++least->count;
}

void status_view::add(const status_view& other) {
  for (std::size_t i = 0; i < recent.size(); ++i)
    recent[i].add(other.recent[i]);
  for (const error_path& e : other.errors) {
    auto it = std::find_if(errors.begin(), errors.end(), [&e](const error_path& mine) {
      return mine.code == e.code && mine.path == e.path;
    });
    if (it != errors.end())
      it->count += e.count;
    else
      errors.push_back(e);
  }
  for (connection_row row : other.connections) {
    row.worker += static_cast<unsigned>(workers.size());  // the other's workers come after
    connections.push_back(std::move(row));
  }
  workers.insert(workers.end(), other.workers.begin(), other.workers.end());
}

std::string site_label(const site* s) {
  if (s == nullptr) return "(none)";
  if (s->hosts().empty()) return "(default)";
  return s->hosts().front();
}

site_metrics& worker_metrics::of(const site* s) {
  if (s == last_site_ && last_ != nullptr) return *last_;
  auto it = by_site_.find(s);
  site_metrics* m = nullptr;
  if (it != by_site_.end()) {
    m = it->second;
  } else {
    m = &totals_.sites[site_label(s)];  // std::map: the node stays where it is
    by_site_.emplace(s, m);
  }
  last_site_ = s;
  last_ = m;
  return *m;
}

void worker_metrics::count(const counted_response& r) {
  site_metrics& m = of(r.where);
  if (r.code >= first_code && r.code < first_code + static_cast<int>(code_slots))
    ++m.by_code[static_cast<std::size_t>(r.code - first_code)];
  if (!r.method.empty()) ++m.by_method[method_slot(r.method)];
  if (r.duration_ms >= 0) {
    ++m.duration[duration_slot(r.duration_ms)];
    m.duration_sum_ms += static_cast<std::uint64_t>(r.duration_ms);
  }
  m.bytes_in += r.bytes_in;
  m.bytes_out += r.bytes_out;
  if (r.at_ms >= 0) {
    const std::int64_t epoch = r.at_ms / recent_slot_ms;
    recent_slot& slot = recent_[static_cast<std::size_t>(epoch) % recent_slots];
    if (slot.epoch != epoch) slot = recent_slot{.epoch = epoch};
    slot.count(r.code);
  }
  if (r.code >= 400 && r.code < 600) errors_.count(r.code, r.path);
  if (r.answered_by != nullptr) {
    std::string_view step = r.answered_by->name();
    if (step.empty()) step = "custom";
    // Found without building a key: a string per answer would allocate on every 429.
    for (auto& [key, n] : m.step_answers)
      if (key.second == r.code && key.first == step) return void(++n);
    m.step_answers.emplace(std::make_pair(std::string(step), r.code), 1);
  }
}

void worker_metrics::forget_sites() noexcept {
  by_site_.clear();
  last_site_ = nullptr;
  last_ = nullptr;
}

metrics_totals worker_metrics::snapshot(std::uint64_t open, std::uint64_t waiting,
                                        std::uint64_t cache_hits, std::uint64_t cache_misses,
                                        bool with_status) const {
  metrics_totals copy = totals_;
  if (with_status) {
    copy.status.recent = recent_;
    copy.status.errors = errors_.entries();
    copy.status.workers.emplace_back(open, waiting);
  }
  copy.connections_open = open;
  copy.connections_waiting = waiting;
  copy.compression_cache_hits = cache_hits;
  copy.compression_cache_misses = cache_misses;
  return copy;
}

std::string render_prometheus(const metrics_totals& totals, const server_metrics& server) {
  std::string out;
  out.reserve(8192);
  writer w(out);
  render_sites(w, totals);
  render_server(w, totals, server);
  return out;
}

void worker_metrics::count_h2_session(const h2::session_counters& c) noexcept {
  h2::add(totals_.h2, c);
}

}  // namespace teapot::srv
