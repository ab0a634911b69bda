// WebSocket routes (RFC 6455): a GET that asks to upgrade gets 101 Switching Protocols, and the
// connection then carries messages both ways until one end closes it. Over HTTP/2 an extended
// CONNECT (RFC 8441) gets 200, and its stream carries them.
//
//   teapot::add_websocket_route(site.routes(), "/chat", {.subprotocols = {"chat.v1"}}, {
//       .on_open = [](const std::shared_ptr<teapot::websocket>& ws) { ws->send("hello"); },
//       .on_message = [](teapot::websocket& ws, std::string_view data,
//                        teapot::message_kind kind) { ws.send(data, kind); },
//   });
//
// The opening handshake is checked as RFC 6455 §4.2.1 says: a request that is not an upgrade
// gets 426 with "Upgrade: websocket" (or reaches on_plain_request, when the route also serves
// plain requests), a version other than 13 gets 426 with "Sec-WebSocket-Version: 13", and a
// malformed upgrade gets 400. Over HTTP/2, which has no Upgrade (RFC 9113 §8.6), a request
// other than CONNECT gets 405 with "Allow: CONNECT" (a GET or HEAD reaches on_plain_request
// when there is one), and a CONNECT whose :protocol is not "websocket" gets 501. Frames are
// checked as they come (masking, control frames, fragments, UTF-8 of text): a protocol error
// closes with 1002, text that is not UTF-8 with 1007, a message past max_message with 1009.
// Pings are answered by the server; a client silent for idle_timeout is sent a Ping, and one
// silent as long again is closed with 1001.
//
// Thread contract: the handlers run on the connection's loop thread, one at a time, never
// after on_close. send() and close() may be called from any thread, before or after the
// connection has gone (they then do nothing).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/handler.h"
#include "teapot/router.h"

namespace teapot {

enum class message_kind : unsigned char { text, binary };

class websocket {
 public:
  virtual ~websocket() = default;
  // Queues a whole message (text must be UTF-8). False once the closing handshake has begun,
  // by either end, or the connection is gone.
  virtual bool send(std::string_view data, message_kind kind = message_kind::text) = 0;
  // Begins the closing handshake (RFC 6455 §7.1.2). code: 1000-1003, 1007-1014 or 3000-4999
  // (anything else is sent as 1000); reason: UTF-8, cut at 123 bytes.
  virtual void close(std::uint16_t code = 1000, std::string_view reason = {}) = 0;
  // Bytes of messages queued and not yet taken by the socket, for a producer that paces
  // itself (on_drain says when they have gone).
  virtual std::size_t buffered_amount() const noexcept = 0;
  // The subprotocol the handshake chose (Sec-WebSocket-Protocol), or empty.
  virtual std::string_view subprotocol() const noexcept = 0;
  // The request's path and query, as the handshake had them.
  virtual std::string_view target() const noexcept = 0;
};

struct websocket_handlers {
  // The 101 has been sent: the connection is open.
  std::function<void(const std::shared_ptr<websocket>& ws)> on_open;
  // A whole message, its fragments joined (and inflated, with permessage-deflate).
  std::function<void(websocket& ws, std::string_view data, message_kind kind)> on_message;
  // The connection is over: code and reason of the client's Close frame, or of the server's
  // when it failed the connection; 1006 when it ended without a Close (RFC 6455 §7.1.5).
  std::function<void(websocket& ws, std::uint16_t code, std::string_view reason)> on_close;
  // What send() queued has all been written.
  std::function<void(websocket& ws)> on_drain;
  // A request to the route that is not a WebSocket upgrade; without it, such a request gets 426
  // with "Upgrade: websocket" (RFC 9110 §15.5.22).
  handler on_plain_request;
};

struct websocket_options {
  // Subprotocols in the server's order of preference: the first one the client also offers
  // is chosen. Empty: none is chosen, whatever the client offers (RFC 6455 §4.2.2).
  std::vector<std::string> subprotocols;
  // The largest message, whole (and inflated): past it the connection closes with 1009.
  std::size_t max_message = 1024 * 1024;
  // Accept permessage-deflate (RFC 7692) when the client offers it.
  bool permessage_deflate = true;
  // A client that sends no frame for this long is sent a Ping (RFC 6455 §5.5.2); one that then
  // sends nothing for as long again (not even the Pong, §5.5.3) is sent a Close 1001 (going
  // away, "idle timeout") and the connection is closed without waiting for its Close. Zero:
  // never.
  std::chrono::milliseconds idle_timeout{60'000};
};

// A handler for a route that takes WebSocket upgrades: GET over HTTP/1.1, CONNECT over HTTP/2.
handler websocket_route(websocket_options options, websocket_handlers handlers);

// Adds websocket_route at pattern for both methods that open a WebSocket: GET with Upgrade
// (HTTP/1.1) and extended CONNECT (HTTP/2, RFC 8441).
void add_websocket_route(router& routes, std::string_view pattern, websocket_options options,
                         websocket_handlers handlers);

}  // namespace teapot
