#include "config/reload.h"

namespace teapot::config {

namespace {

bool same_limits(const teapot::limits& a, const teapot::limits& b) {
  return a.request_line == b.request_line && a.field_line == b.field_line &&
         a.header_section == b.header_section && a.fields == b.fields &&
         a.chunk_line == b.chunk_line && a.body == b.body && a.header_timeout == b.header_timeout &&
         a.body_timeout == b.body_timeout && a.keep_alive_timeout == b.keep_alive_timeout &&
         a.send_timeout == b.send_timeout;
}

bool same_body_limits(const std::vector<body_limit>& a, const std::vector<body_limit>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].prefix != b[i].prefix || a[i].max != b[i].max) return false;
  return true;
}

}  // namespace

std::vector<std::string> changes_needing_restart(const configuration& running,
                                                 const configuration& loaded) {
  std::vector<std::string> out;
  const server_config& r = running.server;
  const server_config& l = loaded.server;
  auto check = [&out](bool same, const char* key) {
    if (!same) out.emplace_back(key);
  };
  check(r.options.listen == l.options.listen, "server.listen");
  check(r.options.workers == l.options.workers, "server.workers");
  check(r.options.blocking_threads == l.options.blocking_threads, "server.blocking_threads");
  check(r.options.drain_timeout == l.options.drain_timeout, "server.drain_timeout");
  check(r.options.methods == l.options.methods, "server.methods");
  check(r.options.server_header == l.options.server_header, "server.server_header");
  check(r.max_connections == l.max_connections, "server.max_connections");
  check(r.overload_retry_after == l.overload_retry_after, "server.overload_retry_after");
  check(same_limits(r.options.limits, l.options.limits), "server.limits");
  check(same_body_limits(r.body_limits, l.body_limits), "server.body_limits");
  const access_log_config& ra = running.access_log;
  const access_log_config& la = loaded.access_log;
  check(ra.enabled == la.enabled && ra.format == la.format && ra.path == la.path, "access_log");
  check(running.error_log.path == loaded.error_log.path, "error_log.path");
  return out;
}

}  // namespace teapot::config
