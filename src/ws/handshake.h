// The WebSocket opening handshake, server side (RFC 6455 §4.2; RFC 8441 §4-§5 for HTTP/2's
// extended CONNECT), as pure functions: a request's method, version and fields in, a decision
// out: accept, with the 101's fields, or refuse, with the status and the fields it requires.
// Statuses are chosen in one switch (to_status), compiled with -Wswitch-enum.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "teapot/http/status.h"
#include "teapot/request.h"
#include "ws/deflate_negotiation.h"

namespace teapot::ws {

enum class handshake_error : std::uint8_t {
  // 426 Upgrade Required, with Upgrade: websocket (RFC 9110 §15.5.22).
  not_websocket,  // a GET or HEAD that asks no upgrade to websocket: a plain request
  // 426 Upgrade Required, with Sec-WebSocket-Version: 13 (RFC 6455 §4.2.2 item 4, §4.4).
  unsupported_version,  // Sec-WebSocket-Version other than exactly 13
  // 405 Method Not Allowed, with Allow: GET, HEAD.
  method_not_allowed,  // neither GET nor HEAD, and no upgrade asked
  // 405 Method Not Allowed, with Allow: CONNECT. HTTP/2 has no Upgrade (RFC 9113 §8.6), so a
  // 426 could not name the protocol as RFC 9110 §15.5.22 requires: over HTTP/2 the resource
  // opens a WebSocket by extended CONNECT only (RFC 8441 §4), which Allow tells.
  not_extended_connect,  // a request over HTTP/2 other than CONNECT
  // 400 Bad Request: a handshake that breaks RFC 6455 §4.2.1 (§4.2.2: "such as 400").
  not_get,                // an upgrade to websocket with another method than GET
  not_http11,             // an upgrade to websocket in HTTP/1.0
  no_connection_upgrade,  // Upgrade: websocket without the "upgrade" Connection option
  missing_key,            // no Sec-WebSocket-Key
  bad_key,                // not the base64 of 16 bytes, or sent twice
  missing_version,        // no Sec-WebSocket-Version
  bad_subprotocol,        // Sec-WebSocket-Protocol not a list of tokens
  // 501 Not Implemented.
  unsupported_protocol,  // extended CONNECT with a :protocol other than websocket
};

http::status to_status(handshake_error e) noexcept;
// A short English phrase for logs.
std::string_view describe(handshake_error e) noexcept;
// The fields the refusal's response must carry (static storage).
std::span<const header_field> refusal_fields(handshake_error e) noexcept;

struct handshake_options {
  // The server's subprotocols, in its order of preference; the first the client offers is
  // chosen (§4.2.2 item 5.4). Empty: the server speaks none and never answers the field.
  std::span<const std::string> subprotocols{};
  // nullopt: permessage-deflate is never accepted.
  std::optional<deflate_options> deflate{};
};

struct handshake_decision {
  bool accepted = false;
  handshake_error error{};  // when not accepted
  // Sec-WebSocket-Accept (§4.2.2 item 5.4); empty for extended CONNECT, which has none.
  std::string accept;
  std::string_view subprotocol;           // chosen, a view into the request's fields; empty: none
  std::optional<deflate_params> deflate;  // permessage-deflate, when accepted
  std::string extensions;                 // the response's Sec-WebSocket-Extensions, or empty
};

// RFC 6455 §4.2.1-§4.2.2: an HTTP/1.1 request that may be an opening handshake. Accepted, the
// answer is 101 with response_fields(); refused, to_status(error) with refusal_fields(error).
handshake_decision decide_handshake(std::string_view method, int version_minor,
                                    std::span<const header_field> fields,
                                    const handshake_options& options);

// RFC 8441 §4-§5: an HTTP/2 CONNECT with :protocol (protocol, empty when absent). There is no
// key and no Upgrade: accepted, the answer is 200 with response_fields(); refused, as above
// (HTTP/2 drops the Upgrade field a 426 would carry).
handshake_decision decide_extended_connect(std::string_view protocol,
                                           std::span<const header_field> fields,
                                           const handshake_options& options);

// A request over HTTP/2 on a WebSocket route: an extended CONNECT is decided as above; any
// other method is refused with not_extended_connect.
handshake_decision decide_h2_request(std::string_view method, std::string_view protocol,
                                     std::span<const header_field> fields,
                                     const handshake_options& options);

// The fields of an accepting response, views into decision (which must outlive them): for
// HTTP/1.1 Upgrade, Connection and Sec-WebSocket-Accept, then Sec-WebSocket-Protocol and
// Sec-WebSocket-Extensions when chosen.
std::span<const header_field> response_fields(const handshake_decision& decision,
                                              std::array<header_field, 5>& out) noexcept;

// §4.2.2 item 5.4: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string accept_key(std::string_view key);

}  // namespace teapot::ws
