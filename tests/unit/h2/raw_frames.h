// Frames written and read by hand (RFC 9113 §4.1), for what a well-behaved client never sends:
// floods of CONTINUATION, PING or streams past an acknowledged limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "loopback.h"

namespace teapot::h2::test {

// One frame: 24-bit length, type, flags, 31-bit stream id, payload.
std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  std::string_view payload = {});

// The client's connection preface with an empty SETTINGS frame (§3.4).
std::string preface();
// A SETTINGS frame with the ACK flag (§6.5.3).
std::string settings_ack();
std::string ping_frame();

// A header block for these fields, HPACK-encoded by a fresh nghttp2 encoder (so its dynamic
// table starts empty, as a new connection's does).
std::string hpack(const field_list& fields);

struct frame_view {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream = 0;
  std::string_view payload{};
};

// The frames in bytes a server wrote (after its SETTINGS, which starts them).
std::vector<frame_view> frames_of(std::string_view bytes);
// The error code of the first GOAWAY, or of the first RST_STREAM on stream.
std::optional<std::uint32_t> goaway_code(const std::vector<frame_view>& frames);
std::optional<std::uint32_t> reset_code(const std::vector<frame_view>& frames,
                                        std::uint32_t stream);

}  // namespace teapot::h2::test
