// The server's metrics as routes: the Prometheus text of server::collect_metrics and the status
// page of server::collect_status_page (with server_options::metrics on), for the clients of the
// allowed networks only.
//
//   srv.routes().get("/metrics", teapot::handlers::metrics_endpoint(srv));
//   srv.routes().get("/server-status", teapot::handlers::status_page_endpoint(srv));
#pragma once

#include <vector>

#include "teapot/handler.h"
#include "teapot/handlers/ip_network.h"
#include "teapot/server.h"

namespace teapot::handlers {

struct metrics_options {
  // Clients outside these networks get 403: what a server counts (paths' codes, reloads,
  // failures) is for its operators. The machine itself by default.
  std::vector<ip_network> allow = loopback_networks();
};

// GET and HEAD: 200 with "text/plain; version=0.0.4; charset=utf-8" and Cache-Control:
// no-store. srv must outlive the handler; the route answers once every worker has given its
// counts (a deferred response), so a scrape never waits on the loop it runs on.
handler metrics_endpoint(const server& srv, metrics_options options = {});

// The status page (server::collect_status_page) under the same allow list: 200 with
// "text/html; charset=utf-8", Cache-Control: no-store and a Content-Security-Policy that lets
// nothing but its own inline style load.
handler status_page_endpoint(const server& srv, metrics_options options = {});

}  // namespace teapot::handlers
