// RFC 6455 §5.2 frame serialization. A server's frames go unmasked, and their header can be
// written apart from the payload, so that a payload is sent from where it lies (one writev); a
// client's frames are masked with a key the caller draws (§5.3 wants it unpredictable, from a
// strong source of entropy, which this codec does not own).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ws/close_code.h"
#include "ws/frame.h"

namespace teapot::ws {

struct frame_head {
  std::array<char, max_header_size> bytes{};
  std::uint8_t size = 0;
  std::string_view view() const noexcept { return {bytes.data(), size}; }
};

struct frame_flags {
  bool fin = true;
  bool rsv1 = false;  // the first frame of a message compressed by permessage-deflate
};

// The header of a frame with a payload of length bytes, its length in the fewest bytes (§5.2).
// With a mask key, MASK is set and the key written; the payload must then be masked with
// apply_mask(payload, key, 0).
frame_head format_frame_header(opcode op, std::uint64_t length, frame_flags flags = {},
                               const std::optional<mask_key>& mask = std::nullopt) noexcept;

// Appends a whole frame to out: header, then payload (masked with the key, when given).
void append_frame(std::string& out, opcode op, std::string_view payload, frame_flags flags = {},
                  const std::optional<mask_key>& mask = std::nullopt);

// §5.5.1: a Close frame with code and reason. The reason is cut, at a code point boundary, to
// the 123 bytes a control frame leaves it. Code 1005 (no status received) stands for "no code":
// it writes an empty Close frame, the echo of a Close frame that had none (§7.4.1: 1005 is never
// sent); the other codes a peer may not send (1006, 1015, under 1000) are written as 1011, so
// that this end never sends what it would refuse to receive.
void append_close(std::string& out, std::uint16_t code, std::string_view reason = {},
                  const std::optional<mask_key>& mask = std::nullopt);
inline void append_close(std::string& out, close_code code, std::string_view reason = {},
                         const std::optional<mask_key>& mask = std::nullopt) {
  append_close(out, to_int(code), reason, mask);
}

// §5.5.2, §5.5.3: false, and nothing appended, for a payload over 125 bytes. A Pong answers a
// Ping with the Ping's payload.
bool append_ping(std::string& out, std::string_view payload,
                 const std::optional<mask_key>& mask = std::nullopt);
bool append_pong(std::string& out, std::string_view payload,
                 const std::optional<mask_key>& mask = std::nullopt);

}  // namespace teapot::ws
