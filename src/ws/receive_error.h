// Every reason a WebSocket endpoint fails the connection on what it received: a closed set,
// mapped to the close code it sends in one switch (to_close_code), compiled with -Wswitch-enum so
// that a new reason cannot go unmapped. Sections are RFC 6455's unless another RFC is named.
#pragma once

#include <cstdint>
#include <string_view>

#include "ws/close_code.h"

namespace teapot::ws {

enum class receive_error : std::uint8_t {
  // 1002 Protocol error.
  reserved_bit,                  // RSV2 or RSV3, or RSV1 with no extension that defines it (§5.2)
  reserved_opcode,               // opcode 0x3-0x7 or 0xB-0xF (§5.2)
  unmasked_frame,                // a server received a frame without a mask (§5.1)
  masked_frame,                  // a client received a masked frame (§5.1)
  fragmented_control,            // a control frame without FIN (§5.5)
  control_too_long,              // a control frame over 125 bytes (§5.5)
  length_too_large,              // a 64-bit length with its most significant bit set (§5.2)
  non_minimal_length,            // a length not in the fewest bytes (§5.2)
  compressed_control,            // RSV1 on a control frame (RFC 7692 §6)
  compressed_continuation,       // RSV1 on a continuation frame (RFC 7692 §6)
  continuation_without_message,  // a continuation frame with no message to continue (§5.4)
  message_interrupted,           // a text or binary frame inside a fragmented message (§5.4)
  bad_close_length,              // a Close frame with a payload of one byte (§5.5.1)
  bad_close_code,                // a Close frame's code that may not be sent (§7.4)
  // 1007 Invalid frame payload data.
  invalid_utf8,             // a text message that is not UTF-8 (§8.1)
  invalid_close_reason,     // a Close frame's reason that is not UTF-8 (§5.5.1)
  invalid_compressed_data,  // a compressed message that does not inflate (RFC 7692 §7.2.2)
  // 1009 Message Too Big.
  message_too_big,  // a message, inflated, or its frames' payloads, over the configured limit
  // 1011 Internal Error.
  inflate_unavailable,  // zlib could not get the memory to inflate
};

close_code to_close_code(receive_error e) noexcept;
// A short English phrase for logs and for the reason of the Close frame that reports it.
std::string_view describe(receive_error e) noexcept;
// The enumerator's own name ("reserved_opcode"), for metrics labels.
std::string_view name_of(receive_error e) noexcept;

}  // namespace teapot::ws
