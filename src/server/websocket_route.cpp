// teapot::websocket_route (teapot/websocket.h): the opening handshake of a WebSocket route,
// decided by ws::decide_handshake (HTTP/1.1) or ws::decide_h2_request (HTTP/2), and the 101 (or
// the stream's 200) that carries the switch to the connection (or the stream).
#include <array>
#include <memory>
#include <string>
#include <utility>

#include "server/response_access.h"
#include "server/ws_upgrade.h"
#include "teapot/websocket.h"
#include "ws/handshake.h"

namespace teapot {

handler websocket_route(websocket_options options, websocket_handlers handlers) {
  auto state = std::make_shared<const srv::ws_route_state>(
      srv::ws_route_state{std::move(options), std::move(handlers)});
  return [state](const request& req, response& res) {
    ws::handshake_options hs;
    hs.subprotocols = state->options.subprotocols;
    if (state->options.permessage_deflate) hs.deflate = ws::deflate_options{};
    const bool h2 = req.version_major == 2;
    const ws::handshake_decision d =
        h2 ? ws::decide_h2_request(req.method, req.protocol, req.headers, hs)
           : ws::decide_handshake(req.method, req.version_minor, req.headers, hs);
    if (!d.accepted) {
      const bool plain = d.error == ws::handshake_error::not_websocket ||
                         (d.error == ws::handshake_error::not_extended_connect &&
                          (req.method == "GET" || req.method == "HEAD"));
      if (plain && state->handlers.on_plain_request)
        return state->handlers.on_plain_request(req, res);
      res.error(ws::to_status(d.error));
      for (const header_field& f : ws::refusal_fields(d.error))
        res.add_header(f.name, f.value);
      return;
    }
    // RFC 6455 §4.2.2 item 5: 101 with Upgrade, Connection, Sec-WebSocket-Accept, and the
    // subprotocol and extensions chosen. RFC 8441 §5: over HTTP/2, 200 with the subprotocol
    // and extensions, and the stream carries the frames.
    res.set_status(h2 ? http::status::ok : http::status::switching_protocols);
    std::array<header_field, 5> fields{};
    for (const header_field& f : ws::response_fields(d, fields))
      res.add_header(f.name, f.value);
    auto up = std::make_shared<srv::ws_upgrade>();
    up->route = state;
    up->subprotocol = std::string(d.subprotocol);
    up->deflate = d.deflate;
    up->target = std::string(req.target);
    srv::response_access::set_upgrade(res, std::move(up));
  };
}

void add_websocket_route(router& routes, std::string_view pattern, websocket_options options,
                         websocket_handlers handlers) {
  handler h = websocket_route(std::move(options), std::move(handlers));
  routes.route("GET", pattern, h);
  routes.route("CONNECT", pattern, std::move(h));
}

}  // namespace teapot
