// What a WebSocket route's 101 switches its connection to: the route's handlers and options,
// and what the opening handshake agreed (RFC 6455 §4.2.2). Made by the route's handler, carried
// by the response, taken by the connection once the 101 is written.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "teapot/websocket.h"
#include "ws/deflate_negotiation.h"

namespace teapot::srv {

struct ws_route_state {
  websocket_options options;
  websocket_handlers handlers;
};

struct ws_upgrade {
  std::shared_ptr<const ws_route_state> route;
  std::string subprotocol;
  std::optional<ws::deflate_params> deflate;
  std::string target;  // the request's path and query
};

}  // namespace teapot::srv
