#include "ws/receive_error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace teapot::ws {
namespace {

// Every enumerator with the close code RFC 6455 §7.4.1 gives it; the last enumerator is
// checked to be the one the enum ends with, so that a new reason must be added here too.
TEST(receive_error, each_enumerator_maps_to_its_close_code) {
  using e = receive_error;
  using c = close_code;
  const std::vector<std::pair<receive_error, close_code>> table = {
      {e::reserved_bit, c::protocol_error},
      {e::reserved_opcode, c::protocol_error},
      {e::unmasked_frame, c::protocol_error},
      {e::masked_frame, c::protocol_error},
      {e::fragmented_control, c::protocol_error},
      {e::control_too_long, c::protocol_error},
      {e::length_too_large, c::protocol_error},
      {e::non_minimal_length, c::protocol_error},
      {e::compressed_control, c::protocol_error},
      {e::compressed_continuation, c::protocol_error},
      {e::continuation_without_message, c::protocol_error},
      {e::message_interrupted, c::protocol_error},
      {e::bad_close_length, c::protocol_error},
      {e::bad_close_code, c::protocol_error},
      {e::invalid_utf8, c::invalid_frame_payload_data},
      {e::invalid_close_reason, c::invalid_frame_payload_data},
      {e::invalid_compressed_data, c::invalid_frame_payload_data},
      {e::message_too_big, c::message_too_big},
      {e::inflate_unavailable, c::internal_error},
  };
  ASSERT_EQ(static_cast<std::size_t>(e::inflate_unavailable) + 1, table.size());
  std::set<std::string_view> phrases;
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto [error, code] = table[i];
    EXPECT_EQ(static_cast<std::size_t>(error), i) << "table out of enum order at " << i;
    EXPECT_EQ(to_close_code(error), code) << describe(error);
    // Each reason fits a Close frame's 123 bytes, and none is told like another.
    EXPECT_LE(describe(error).size(), 123u);
    EXPECT_TRUE(phrases.insert(describe(error)).second) << describe(error);
    EXPECT_TRUE(names.insert(name_of(error)).second) << name_of(error);
  }
}

}  // namespace
}  // namespace teapot::ws
