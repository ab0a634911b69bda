#include "config/reload.h"

#include <cstddef>

namespace teapot::config {

namespace {

// The keys of [server.limits]; the connection cap, its Retry-After and the body limits by
// prefix have keys of their own, named apart.
bool same_limits(const teapot::limits& a, const teapot::limits& b) {
  return a.request_line == b.request_line && a.field_line == b.field_line &&
         a.header_section == b.header_section && a.fields == b.fields &&
         a.chunk_line == b.chunk_line && a.body == b.body && a.header_timeout == b.header_timeout &&
         a.body_timeout == b.body_timeout && a.keep_alive_timeout == b.keep_alive_timeout &&
         a.send_timeout == b.send_timeout && a.chunk_extensions == b.chunk_extensions &&
         a.body_min_rate == b.body_min_rate;
}

bool same_body_limits(const std::vector<body_limit_rule>& a,
                      const std::vector<body_limit_rule>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].prefix != b[i].prefix || a[i].max != b[i].max) return false;
  return true;
}

}  // namespace

std::vector<std::string> changes_needing_restart(const configuration& running,
                                                 const configuration& loaded) {
  std::vector<std::string> out;
  const server_options& r = running.server;
  const server_options& l = loaded.server;
  auto check = [&out](bool same, const char* key) {
    if (!same) out.emplace_back(key);
  };
  check(r.listen == l.listen, "server.listen");
  check(r.tls_listen == l.tls_listen, "server.tls_listen");
  // The sites' certificates are taken (server::replace_certificates); the timer is set at start.
  check(r.tls_ticket_rotation == l.tls_ticket_rotation, "server.tls.ticket_rotation");
  check(r.workers == l.workers, "server.workers");
  check(r.blocking_threads == l.blocking_threads, "server.blocking_threads");
  check(r.drain_timeout == l.drain_timeout, "server.drain_timeout");
  check(r.methods == l.methods, "server.methods");
  check(r.server_header == l.server_header, "server.server_header");
  check(r.limits.max_connections == l.limits.max_connections, "server.max_connections");
  check(r.limits.max_connections_per_address == l.limits.max_connections_per_address,
        "server.max_connections_per_address");
  check(r.limits.overload_retry_after == l.limits.overload_retry_after,
        "server.overload_retry_after");
  // Set on the listening sockets, which a reload keeps.
  check(r.limits.send_buffer == l.limits.send_buffer, "server.send_buffer");
  check(same_limits(r.limits, l.limits), "server.limits");
  check(same_body_limits(r.limits.body_by_prefix, l.limits.body_by_prefix), "server.body_limits");
  const access_log_config& ra = running.access_log;
  const access_log_config& la = loaded.access_log;
  check(ra.enabled == la.enabled && ra.format == la.format && ra.path == la.path, "access_log");
  check(running.error_log.path == loaded.error_log.path, "error_log.path");
  const metrics_config& rm = running.metrics;
  const metrics_config& lm = loaded.metrics;
  check(rm.enabled == lm.enabled, "server.metrics.enabled");
  check(rm.listen == lm.listen, "server.metrics.listen");
  // On a listener of their own, the metrics' route is built once; on a site, with the site.
  if (!rm.listen.empty())
    check(rm.path == lm.path && rm.status_path == lm.status_path && rm.allow == lm.allow,
          "server.metrics");
  return out;
}

}  // namespace teapot::config
