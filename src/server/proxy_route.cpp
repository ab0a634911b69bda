// teapot::proxy_route (teapot/proxy.h): each request handed to an upstream_exchange on the
// worker's loop, its response deferred until the upstream's head (or the proxy's 502/504).
#include <memory>
#include <stdexcept>
#include <utility>

#include "server/proxy_final_recipient.h"
#include "server/upstream_exchange.h"
#include "server/worker.h"
#include "teapot/proxy.h"
#include "tls/client_context.h"

namespace teapot {

handler proxy_route(proxy_options options) {
  if (options.upstreams.empty()) throw std::invalid_argument("a proxy route needs an upstream");
  auto state = std::make_shared<srv::proxy_state>();
  for (const std::string& u : options.upstreams)
    state->upstreams.push_back(srv::resolve_upstream(u));
  const proxy_health_check& check = options.health_check;
  if (!check.path.empty() &&
      (!check.path.starts_with('/') || check.interval.count() <= 0 || check.timeout.count() <= 0 ||
       check.fails_to_leave == 0 || check.passes_to_return == 0))
    throw std::invalid_argument(
        "a health check needs a path starting with '/', times and counts above zero");
  state->options = std::move(options);
  state->count_upstreams();
  bool tls = false;
  for (const srv::upstream_address& u : state->upstreams)
    tls = tls || u.tls;
  if (tls) {
    try {
      state->tls_context = tls::make_client_context(
          {.verify = state->options.tls_verify, .ca_file = state->options.tls_ca});
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
  }
  if (!state->options.health_check.path.empty())
    state->health =
        std::make_unique<srv::upstream_health>(state->upstreams, state->options.health_check,
                                               state->options.log, state->tls_context.get());
  return [state](const request& req, response& res) {
    srv::worker* w = srv::worker::on_this_thread();
    if (w == nullptr) {  // not on a server's loop (a handler called directly, as in a test)
      res.error(http::status::internal_server_error);
      return;
    }
    if (req.method == "CONNECT") {
      // Sent on, a CONNECT asks the upstream for a tunnel (RFC 9110 §9.3.6) to the authority
      // it names, not for this route's resource; the pipeline answers an extended CONNECT
      // before a route that takes any method, and a plain one before any route.
      res.error(http::status::not_implemented);
      return;
    }
    if (srv::answer_as_final_recipient(req, res, w->options().methods)) return;
    auto up = std::make_shared<srv::upstream_exchange>(*w, state, res.defer());
    up->start(req);
  };
}

}  // namespace teapot
