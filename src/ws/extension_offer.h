// The Sec-WebSocket-Extensions field (RFC 6455 §9.1) read into offers: an extension's name and
// its parameters, in the client's order of preference.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::ws {

struct extension_param {
  std::string_view name;
  // The value, unquoted (a quoted-string's value must then be a token, §9.1); nullopt for a
  // parameter without one.
  std::optional<std::string> value;
};

struct extension_offer {
  std::string_view name;
  std::vector<extension_param> params;
};

// RFC 6455 §9.1: every offer of every field value, in order (the field may be sent more than
// once, §11.3.2). An element that breaks the grammar is left out: an offer the server cannot
// read is one it declines, not a reason to refuse the handshake. Views point into the values.
std::vector<extension_offer> parse_extension_offers(std::span<const std::string_view> values);

}  // namespace teapot::ws
