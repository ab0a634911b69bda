#include "teapot/handlers/metrics.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "handlers/common/network.h"

namespace teapot::handlers {

namespace {

using networks = std::shared_ptr<const std::vector<ip_network>>;

bool allowed(const networks& allow, const request& req) {
  const std::optional<net::ip_address> peer = net::parse_peer_address(req.remote_address);
  return peer && net::any_contains(*allow, *peer);
}

// The answer once every worker has given its counts, filled on the exchange's own loop.
std::function<void(std::string)> answer_later(response& res, std::string_view type, bool page) {
  deferred_response later = res.defer();
  return [later, type = std::string(type), page](std::string text) mutable {
    later.post([later, type, page, text = std::move(text)]() mutable {
      response& r = later.res();
      r.set_header("Cache-Control", "no-store");
      if (page)
        r.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
      r.set_body(text, type);
      later.send();
    });
  };
}

}  // namespace

handler metrics_endpoint(const server& srv, metrics_options options) {
  auto allow = std::make_shared<const std::vector<ip_network>>(std::move(options.allow));
  return [&srv, allow](const request& req, response& res) {
    if (!allowed(allow, req)) return res.error(http::status::forbidden);
    srv.collect_metrics(answer_later(res, "text/plain; version=0.0.4; charset=utf-8", false));
  };
}

handler status_page_endpoint(const server& srv, metrics_options options) {
  auto allow = std::make_shared<const std::vector<ip_network>>(std::move(options.allow));
  return [&srv, allow](const request& req, response& res) {
    if (!allowed(allow, req)) return res.error(http::status::forbidden);
    srv.collect_status_page(answer_later(res, "text/html; charset=utf-8", true));
  };
}

}  // namespace teapot::handlers
