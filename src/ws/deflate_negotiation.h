// permessage-deflate's parameters (RFC 7692 §7.1): what this server is willing to do, the offer
// it accepts, and what both ends then do.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "ws/extension_offer.h"

namespace teapot::ws {

// What this server accepts and asks for; the defaults take every offer as it comes.
struct deflate_options {
  // The largest window this server compresses with (9-15: zlib's raw deflate cannot keep an
  // 8-bit window, so an offer that requires 8 is declined).
  int server_max_window_bits = 15;
  // The largest window asked of a client that offers client_max_window_bits (8-15): a smaller
  // one spares the server memory for each connection's inflater.
  int client_max_window_bits = 15;
  // Forget the window after each message this server sends, even unasked (§7.1.1.1): memory
  // for each connection between messages, for a worse ratio.
  bool server_no_context_takeover = false;
  // Ask the client to forget its window after each message (§7.1.1.2).
  bool client_no_context_takeover = false;
  int level = 1;      // zlib's compression level, 0-9 (1: fastest)
  int mem_level = 8;  // zlib's memLevel, 1-9: deflate state of 2^(mem_level+9) bytes
};

// What the two ends agreed. Each end compresses with its own window and context rule, and
// inflates with the other's.
struct deflate_params {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::uint8_t server_max_window_bits = 15;
  std::uint8_t client_max_window_bits = 15;
};

struct deflate_agreement {
  deflate_params params;
  std::string response;  // the element of Sec-WebSocket-Extensions that accepts the offer
};

// RFC 7692 §7.1: accepts one permessage-deflate offer (its parameters), or declines it
// (nullopt) when a parameter is unknown, repeated or has an invalid value (§7.1: "A server MUST
// decline ..."), or when the offer asks what this server cannot do.
std::optional<deflate_agreement> accept_deflate_offer(std::span<const extension_param> params,
                                                      const deflate_options& options);

}  // namespace teapot::ws
