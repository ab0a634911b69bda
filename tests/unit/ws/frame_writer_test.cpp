#include "ws/frame_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "ws_test_support.h"

namespace teapot::ws {
namespace {

using test::from_hex;
using test::to_hex;
const mask_key k = test::test_mask;

// RFC 6455 §5.7, each example byte for byte.
TEST(frame_writer, writes_the_rfc_examples) {
  std::string out;
  append_frame(out, opcode::text, "Hello");
  EXPECT_EQ(to_hex(out), "81 05 48 65 6c 6c 6f");

  out.clear();
  append_frame(out, opcode::text, "Hello", {}, k);
  EXPECT_EQ(to_hex(out), "81 85 37 fa 21 3d 7f 9f 4d 51 58");

  out.clear();
  append_frame(out, opcode::text, "Hel", {.fin = false});
  append_frame(out, opcode::continuation, "lo");
  EXPECT_EQ(to_hex(out), "01 03 48 65 6c 80 02 6c 6f");

  out.clear();
  EXPECT_TRUE(append_ping(out, "Hello"));
  EXPECT_EQ(to_hex(out), "89 05 48 65 6c 6c 6f");

  out.clear();
  EXPECT_TRUE(append_pong(out, "Hello", k));
  EXPECT_EQ(to_hex(out), "8a 85 37 fa 21 3d 7f 9f 4d 51 58");

  EXPECT_EQ(to_hex(format_frame_header(opcode::binary, 256).view()), "82 7e 01 00");
  EXPECT_EQ(to_hex(format_frame_header(opcode::binary, 65536).view()),
            "82 7f 00 00 00 00 00 01 00 00");
}

// §5.2: the fewest bytes for each length; RSV1 for a compressed message's first frame.
TEST(frame_writer, header_lengths_and_flags) {
  struct row {
    std::uint64_t length;
    frame_flags flags;
    const char* hex;
  };
  for (const row& r :
       {row{0, {}, "82 00"}, row{125, {}, "82 7d"}, row{126, {}, "82 7e 00 7e"},
        row{65535, {}, "82 7e ff ff"}, row{65536, {}, "82 7f 00 00 00 00 00 01 00 00"},
        row{0x0102030405060708, {}, "82 7f 01 02 03 04 05 06 07 08"},
        row{1, {.fin = false}, "02 01"}, row{1, {.fin = true, .rsv1 = true}, "c2 01"}}) {
    EXPECT_EQ(to_hex(format_frame_header(opcode::binary, r.length, r.flags).view()), r.hex);
  }
}

// §5.5.1: code then reason; 1005 writes an empty Close; codes that may not be sent become 1011;
// a reason is cut to 123 bytes at a code point boundary.
TEST(frame_writer, close_frames) {
  struct row {
    std::uint16_t code;
    std::string reason;
    std::string payload_hex;
  };
  const std::string long_euro = [] {
    std::string s;
    for (int i = 0; i < 42; ++i)
      s += "\xe2\x82\xac";  // 126 bytes
    return s;
  }();
  std::string cut_euro_hex = "03 e8";
  for (int i = 0; i < 41; ++i)
    cut_euro_hex += " e2 82 ac";  // 123 bytes
  for (const row& r :
       {row{1000, "", "03 e8"}, row{1001, "bye", "03 e9 62 79 65"}, row{4000, "", "0f a0"},
        row{1005, "ignored", ""}, row{1006, "", "03 f3"}, row{1015, "", "03 f3"},
        row{999, "", "03 f3"}, row{1000, long_euro, cut_euro_hex}, row{1000, "\xff", "03 e8"}}) {
    std::string out;
    append_close(out, r.code, r.reason);
    const std::string payload = out.substr(2);
    EXPECT_EQ(to_hex(payload), r.payload_hex) << r.code;
    EXPECT_EQ(to_hex(out.substr(0, 1)), "88");
    EXPECT_EQ(static_cast<std::size_t>(out[1]), payload.size());
  }
}

// A control frame carries at most 125 bytes (§5.5): a longer Ping or Pong is not written.
TEST(frame_writer, control_payload_over_125_is_refused) {
  std::string out;
  EXPECT_FALSE(append_ping(out, std::string(126, 'x')));
  EXPECT_FALSE(append_pong(out, std::string(126, 'x')));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(append_ping(out, std::string(125, 'x')));
}

// §5.3: masking is its own inverse, whatever the offset where a piece starts.
TEST(frame_writer, mask_applied_twice_restores_the_bytes) {
  std::string bytes;
  for (int i = 0; i < 41; ++i)
    bytes += static_cast<char>(i);
  for (std::uint64_t offset = 0; offset < 8; ++offset) {
    std::string copy = bytes;
    apply_mask(copy, k, offset);
    EXPECT_NE(copy, bytes);
    for (std::size_t i = 0; i < copy.size(); ++i) {
      ASSERT_EQ(static_cast<std::uint8_t>(copy[i] ^ bytes[i]), k[(offset + i) % 4]);
    }
    apply_mask(copy, k, offset);
    EXPECT_EQ(copy, bytes);
  }
}

}  // namespace
}  // namespace teapot::ws
