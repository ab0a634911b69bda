#include "ws/deflate.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ws/message_reader.h"
#include "ws_test_support.h"

namespace teapot::ws {
namespace {

using test::client_frame;
using test::from_hex;
using test::to_hex;

reader_config client_reading(deflate_params params = {}) {
  reader_config c;
  c.local = role::client;
  c.deflate = params;
  return c;
}

reader_config server_reading(deflate_params params = {}, std::uint64_t max = 1 << 20,
                             std::size_t buffer = 16 * 1024) {
  reader_config c;
  c.deflate = params;
  c.max_message = max;
  c.inflate_buffer = buffer;
  return c;
}

struct inflate_case {
  const char* name;
  std::string input;  // frames as a server sends them (RFC 7692's examples are unmasked)
  std::string transcript;
};

std::string compressed(std::string_view message) {
  message_deflater d(15, false, 6, 8);
  std::string out;
  d.compress(message, true, out);
  return out;
}

// RFC 7692 §7.2.3, every example, read by a client.
std::vector<inflate_case> rfc_cases() {
  return {
      {"rfc_7_2_3_1_hello", from_hex("c1 07 f2 48 cd c9 c9 07 00"), "text:Hello\n"},
      {"rfc_7_2_3_1_fragmented", from_hex("41 03 f2 48 cd 80 04 c9 c9 07 00"), "text:Hello\n"},
      {"rfc_7_2_3_2_shared_window", from_hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00"),
       "text:Hello\ntext:Hello\n"},
      {"rfc_7_2_3_3_stored_block", from_hex("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00"),
       "text:Hello\n"},
      {"rfc_7_2_3_4_bfinal", from_hex("c1 08 f3 48 cd c9 c9 07 00 00"), "text:Hello\n"},
      {"rfc_7_2_3_5_two_blocks", from_hex("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00"),
       "text:Hello\n"},
      {"rfc_7_2_3_6_empty_message", from_hex("c1 01 00"), "text:\n"},
      {"bfinal_then_a_message_that_uses_the_window",
       from_hex("c1 08 f3 48 cd c9 c9 07 00 00 c1 05 f2 00 11 00 00"), "text:Hello\ntext:Hello\n"},
      {"uncompressed_message_between", from_hex("c1 07 f2 48 cd c9 c9 07 00 81 02 68 69"),
       "text:Hello\ntext:hi\n"},
      {"ping_between_compressed_fragments", from_hex("41 03 f2 48 cd 89 01 70 80 04 c9 c9 07 00"),
       "ping:p\ntext:Hello\n"},
      // Data that does not inflate (1007), and RSV1 where RFC 7692 §6 forbids it (1002).
      {"garbage", from_hex("c1 03 ff ff ff"), "fail:1007:invalid_compressed_data\n"},
      // A stored block of 5 bytes given 2: the tail is read as its data, and what follows it is
      // a block of the reserved type 11.
      {"stored_block_cut_short", from_hex("c2 07 00 05 00 fa ff 48 65"),
       "fail:1007:invalid_compressed_data\n"},
      // The same as text: the tail's FF, inflated, is not UTF-8, and comes before the bad block.
      {"stored_block_cut_short_text", from_hex("c1 07 00 05 00 fa ff 48 65"),
       "fail:1007:invalid_utf8\n"},
      // A stored block of 10 bytes given 2: the message ends inside the block.
      {"message_ends_inside_a_block", from_hex("c2 07 00 0a 00 f5 ff 48 65"),
       "fail:1007:invalid_compressed_data\n"},
      {"rsv1_on_continuation", from_hex("41 03 f2 48 cd c0 04 c9 c9 07 00"),
       "fail:1002:compressed_continuation\n"},
      // Found by fuzz/ws_frame_fuzz.cpp: inflated text that is not UTF-8, in data that then stops
      // inflating. Whole, zlib met both in one call; in pieces, the UTF-8 came first. The first
      // in the message's order is the one told, however the bytes arrive.
      {"fuzz_found_utf8_before_bad_data",
       from_hex("c1 08 f3 cd dd 48 c9 e6 e9 07 00 00 60 03 f4 00 00 00 00 00 00 00 07 00 00 60"),
       "fail:1007:invalid_utf8\n"},
      {"compressed_text_not_utf8",
       test::server_frame(opcode::text, compressed("ok\xff"), true, true),
       "fail:1007:invalid_utf8\n"},
  };
}

class inflate_cases : public testing::TestWithParam<inflate_case> {};

TEST_P(inflate_cases, read_the_same_however_the_bytes_arrive) {
  const inflate_case& c = GetParam();
  const test::replay_result r = test::replay(client_reading(), c.input);
  EXPECT_EQ(r.whole, c.transcript);
  EXPECT_FALSE(r.differs) << *r.differs;
}

INSTANTIATE_TEST_SUITE_P(table, inflate_cases, testing::ValuesIn(rfc_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

std::string compress(message_deflater& d, std::string_view message) {
  std::string out;
  EXPECT_TRUE(d.compress(message, true, out));
  return out;
}

// RFC 7692 §7.2.3.1 and §7.2.3.2: "Hello", then "Hello" again with the window kept.
TEST(message_deflater, compresses_as_the_rfc_examples) {
  message_deflater d(15, false, 1, 8);
  EXPECT_EQ(to_hex(compress(d, "Hello")), "f2 48 cd c9 c9 07 00");
  EXPECT_EQ(to_hex(compress(d, "Hello")), "f2 00 11 00 00");
}

// §7.2.3.6: an empty message compresses to one byte.
TEST(message_deflater, compresses_an_empty_message_to_one_byte) {
  message_deflater d(15, false, 6, 8);
  EXPECT_EQ(to_hex(compress(d, "")), "00");
}

// An empty message after another, with the window kept: zlib writes nothing for a second flush
// in a row, and the message must still be the one byte 00. Bytes already in out stay.
TEST(message_deflater, an_empty_message_after_another_is_one_byte) {
  message_deflater d(15, false, 6, 8);
  std::string out = "kept";
  ASSERT_TRUE(d.compress("Hello", true, out));
  EXPECT_EQ(to_hex(out.substr(4)), "f2 48 cd c9 c9 07 00");
  out = "kept";
  ASSERT_TRUE(d.compress("", true, out));
  EXPECT_EQ(to_hex(out), to_hex("kept") + " 00");
  ASSERT_TRUE(d.compress("", false, out));
  ASSERT_TRUE(d.compress("", true, out));
  EXPECT_EQ(to_hex(out), to_hex("kept") + " 00 00");
  const std::string frames = from_hex("c1 07 f2 48 cd c9 c9 07 00 c1 01 00 c1 01 00");
  EXPECT_EQ(test::run_reader(client_reading(), {frames}), "text:Hello\ntext:\ntext:\n");
}

// server_no_context_takeover: each message stands alone, so the second "Hello" is coded as the
// first.
TEST(message_deflater, forgets_the_window_without_context_takeover) {
  message_deflater d(15, true, 1, 8);
  EXPECT_EQ(to_hex(compress(d, "Hello")), "f2 48 cd c9 c9 07 00");
  EXPECT_EQ(to_hex(compress(d, "Hello")), "f2 48 cd c9 c9 07 00");
}

// client_no_context_takeover: the inflater forgets too, so a message that refers back to the
// one before fails (§7.2.3.2's second message, under the other rule).
TEST(message_inflater, forgets_the_window_without_context_takeover) {
  deflate_params p;
  p.server_no_context_takeover = true;
  const std::string input = from_hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00");
  EXPECT_EQ(test::run_reader(client_reading(p), {input}),
            "text:Hello\nfail:1007:invalid_compressed_data\n");
}

// A message compressed in pieces, with a window of each size, reads back whole, sent in
// fragments or not, whatever the inflate buffer.
TEST(message_deflater, round_trips_through_the_reader) {
  std::mt19937 rng(7);
  std::string message;
  for (int i = 0; i < 200'000; ++i) {
    message += static_cast<char>('a' + rng() % 4);
    if (i % 97 == 0) message += "a repeated phrase, ";
  }
  for (int bits : {9, 12, 15}) {
    for (std::size_t buffer : {64u, 1000u, 16384u}) {
      message_deflater d(bits, false, 6, 8);
      std::string compressed;
      ASSERT_TRUE(d.compress(std::string_view(message).substr(0, 70'000), false, compressed));
      ASSERT_TRUE(d.compress(std::string_view(message).substr(70'000), true, compressed));
      deflate_params p;
      p.client_max_window_bits = static_cast<std::uint8_t>(bits);
      const std::size_t half = compressed.size() / 2;
      const std::string frames =
          client_frame(opcode::text, compressed.substr(0, half), false, true) +
          client_frame(opcode::ping, "") +
          client_frame(opcode::continuation, compressed.substr(half), true);
      EXPECT_EQ(test::run_reader(server_reading(p, 1 << 20, buffer), {frames}),
                "ping:\ntext:" + message + "\n")
          << bits << " bits, buffer " << buffer;
    }
  }
}

// Split at every byte: a compressed message of a few kilobytes, in three fragments, read with a
// small inflate buffer so that zlib's output fills it again and again.
TEST(message_deflater, split_replay_of_a_compressed_message) {
  std::string message;
  for (int i = 0; i < 3000; ++i)
    message += static_cast<char>('a' + (i * i) % 26);
  message_deflater d(15, false, 6, 8);
  const std::string c = compress(d, message);
  const std::size_t third = c.size() / 3;
  const std::string frames = client_frame(opcode::text, c.substr(0, third), false, true) +
                             client_frame(opcode::continuation, c.substr(third, third), false) +
                             client_frame(opcode::continuation, c.substr(2 * third));
  const test::replay_result r = test::replay(server_reading({}, 1 << 20, 64), frames);
  EXPECT_EQ(r.whole, "text:" + message + "\n");
  EXPECT_FALSE(r.differs) << *r.differs;
}

// A deflate bomb: a megabyte of zeros compresses to about a kilobyte; with a limit of 64 KiB, the
// reader fails with 1009 once the inflated bytes pass it, having given no more than the limit.
TEST(message_inflater, a_deflate_bomb_stops_at_the_message_limit) {
  message_deflater d(15, false, 9, 9);
  const std::string c = compress(d, std::string(1 << 20, '\0'));
  ASSERT_LT(c.size(), 2000u);
  message_reader reader(server_reading({}, 64 * 1024, 4096));
  std::string frame = client_frame(opcode::binary, c, true, true);
  std::span<char> in(frame);
  std::uint64_t given = 0;
  message_event ev;
  do {
    ev = reader.read(in);
    in = in.subspan(ev.consumed);
    if (ev.what == message_event::kind::data) given += ev.payload.size();
  } while (ev.what == message_event::kind::data);
  EXPECT_EQ(ev.what, message_event::kind::failed);
  EXPECT_EQ(ev.error, receive_error::message_too_big);
  EXPECT_LE(given, 64u * 1024);
}

// Compressed payloads are bounded too: empty stored blocks inflate to nothing, and a message of
// them must not run for ever. With a limit of 1000 bytes, 3000 bytes of them fail at the header.
TEST(message_inflater, compressed_bytes_past_the_bound_fail) {
  std::string blocks;
  for (int i = 0; i < 600; ++i)
    blocks += from_hex("00 00 00 ff ff");
  blocks.resize(blocks.size() - 4);  // as a sender strips the last flush's tail
  message_reader reader(server_reading({}, 1000, 4096));
  std::string frame = client_frame(opcode::binary, blocks, true, true);
  const message_event ev = reader.read(frame);
  EXPECT_EQ(ev.what, message_event::kind::failed);
  EXPECT_EQ(ev.error, receive_error::message_too_big);
}

}  // namespace
}  // namespace teapot::ws
