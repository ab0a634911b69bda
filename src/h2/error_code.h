// The error codes of RFC 9113 §7, carried by RST_STREAM and GOAWAY. A peer may send a code
// this list does not name (§7: "Unknown or unsupported error codes MUST NOT trigger any special
// behavior"): the enum's underlying type holds any 32-bit value.
#pragma once

#include <cstdint>
#include <string_view>

namespace teapot::h2 {

enum class error_code : std::uint32_t {
  no_error = 0x0,
  protocol_error = 0x1,
  internal_error = 0x2,
  flow_control_error = 0x3,
  settings_timeout = 0x4,
  stream_closed = 0x5,
  frame_size_error = 0x6,
  refused_stream = 0x7,
  cancel = 0x8,
  compression_error = 0x9,
  connect_error = 0xa,
  enhance_your_calm = 0xb,
  inadequate_security = 0xc,
  http_1_1_required = 0xd,
};

// The RFC's name ("PROTOCOL_ERROR"), or "UNKNOWN" for a code it does not define.
std::string_view name_of(error_code e) noexcept;

}  // namespace teapot::h2
