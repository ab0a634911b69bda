#include "teapot/handlers/metrics.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "handlers/common/network.h"

namespace teapot::handlers {

handler metrics_endpoint(const server& srv, metrics_options options) {
  auto allow = std::make_shared<const std::vector<ip_network>>(std::move(options.allow));
  return [&srv, allow](const request& req, response& res) {
    const std::optional<net::ip_address> peer = net::parse_peer_address(req.remote_address);
    if (!peer || !net::any_contains(*allow, *peer)) {
      res.error(http::status::forbidden);
      return;
    }
    deferred_response later = res.defer();
    srv.collect_metrics([later](std::string text) mutable {
      // On the thread of the last worker to answer: the response is filled on its own loop.
      later.post([later, text = std::move(text)]() mutable {
        response& r = later.res();
        r.set_header("Cache-Control", "no-store");
        r.set_body(std::move(text), "text/plain; version=0.0.4; charset=utf-8");
        later.send();
      });
    });
  };
}

}  // namespace teapot::handlers
