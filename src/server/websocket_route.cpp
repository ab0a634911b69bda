// teapot::websocket_route (teapot/websocket.h): the opening handshake of a WebSocket route,
// decided by ws::decide_handshake, and the 101 that carries the switch to the connection.
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
    const ws::handshake_decision d =
        ws::decide_handshake(req.method, req.version_minor, req.headers, hs);
    if (!d.accepted) {
      if (d.error == ws::handshake_error::not_websocket && state->handlers.on_plain_request)
        return state->handlers.on_plain_request(req, res);
      res.error(ws::to_status(d.error));
      for (const header_field& f : ws::refusal_fields(d.error))
        res.add_header(f.name, f.value);
      return;
    }
    // RFC 6455 §4.2.2 item 5: 101 with Upgrade, Connection, Sec-WebSocket-Accept, and the
    // subprotocol and extensions chosen.
    res.set_status(http::status::switching_protocols);
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

}  // namespace teapot
