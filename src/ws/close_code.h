// Close status codes (RFC 6455 §7.4 and IANA's "WebSocket Close Code Number Registry").
#pragma once

#include <cstdint>

namespace teapot::ws {

// The registered codes, named as in the registry. Codes an endpoint must never send in a Close
// frame are marked: they stand for what happened, locally, when no code could be read.
enum class close_code : std::uint16_t {
  normal_closure = 1000,              // RFC 6455 §7.4.1
  going_away = 1001,                  // RFC 6455 §7.4.1
  protocol_error = 1002,              // RFC 6455 §7.4.1
  unsupported_data = 1003,            // RFC 6455 §7.4.1
  no_status_received = 1005,          // RFC 6455 §7.4.1, never sent: the Close frame was empty
  abnormal_closure = 1006,            // RFC 6455 §7.4.1, never sent: no Close frame at all
  invalid_frame_payload_data = 1007,  // RFC 6455 §7.4.1
  policy_violation = 1008,            // RFC 6455 §7.4.1
  message_too_big = 1009,             // RFC 6455 §7.4.1
  mandatory_extension = 1010,         // RFC 6455 §7.4.1, sent by clients only
  internal_error = 1011,              // RFC 6455 §7.4.1 (registry erratum 3227)
  service_restart = 1012,             // IANA registry
  try_again_later = 1013,             // IANA registry
  bad_gateway = 1014,                 // IANA registry
  tls_handshake = 1015,               // RFC 6455 §7.4.1, never sent
};

constexpr std::uint16_t to_int(close_code c) noexcept {
  return static_cast<std::uint16_t>(c);
}

// RFC 6455 §7.4: whether a code read from a received Close frame is one a peer may send. 0-999
// are unused, 1004 is reserved, 1005, 1006 and 1015 must never be sent, 1016-2999 are kept for
// future RFCs (none assigned yet), 3000-4999 belong to libraries and applications, 5000 and up
// are not codes: a Close frame with any of those fails the connection (1002).
bool is_valid_received_code(std::uint16_t code) noexcept;

}  // namespace teapot::ws
