#include "ws/frame_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws/frame_writer.h"
#include "ws_test_support.h"

namespace teapot::ws {
namespace {

using test::from_hex;

// Frames as "op fin rsv1 length: payload" lines, or "fail:<error>"; input fed in the pieces
// given, each piece placed to end at a guard page.
std::string parse_frames(const parser_config& config, const std::vector<std::string>& pieces) {
  frame_parser parser(config);
  std::string out;
  std::string payload;
  std::string pending;
  test::guarded_region region(1 << 17);
  for (const std::string& piece : pieces) {
    pending += piece;
    for (;;) {
      std::span<char> in = region.place(pending);
      const frame_event ev = parser.parse(in);
      pending.assign(in.data() + ev.consumed, in.size() - ev.consumed);
      if (ev.what == frame_event::kind::need_more) break;
      if (ev.what == frame_event::kind::failed) {
        out += "fail:" + std::string(name_of(ev.error)) + "\n";
        return out;
      }
      if (ev.what == frame_event::kind::payload) {
        payload.append(ev.payload);
        if (ev.frame_end) {
          const frame_header& h = parser.header();
          out += std::to_string(static_cast<int>(h.op)) + (h.fin ? " fin" : " more") +
                 (h.rsv1 ? " rsv1 " : " ") + std::to_string(h.length) + ": " + payload + "\n";
          payload.clear();
        }
      }
    }
  }
  return out;
}

struct parser_case {
  const char* name;
  role local;
  bool rsv1_allowed;
  std::string input;
  std::string frames;  // parse_frames' transcript
};

const mask_key k = test::test_mask;

std::vector<parser_case> parser_cases() {
  std::string long_256(256, 'x');
  std::string long_64k(65536, 'y');
  return {
      // RFC 6455 §5.7, each example byte for byte.
      {"rfc_single_frame_unmasked_text", role::client, false, from_hex("81 05 48 65 6c 6c 6f"),
       "1 fin 5: Hello\n"},
      {"rfc_single_frame_masked_text", role::server, false,
       from_hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), "1 fin 5: Hello\n"},
      {"rfc_fragmented_unmasked_text", role::client, false, from_hex("01 03 48 65 6c 80 02 6c 6f"),
       "1 more 3: Hel\n0 fin 2: lo\n"},
      {"rfc_unmasked_ping", role::client, false, from_hex("89 05 48 65 6c 6c 6f"),
       "9 fin 5: Hello\n"},
      {"rfc_masked_pong", role::server, false, from_hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"),
       "10 fin 5: Hello\n"},
      {"rfc_256_bytes_binary", role::client, false, from_hex("82 7e 01 00") + long_256,
       "2 fin 256: " + long_256 + "\n"},
      {"rfc_64k_binary", role::client, false, from_hex("82 7f 00 00 00 00 00 01 00 00") + long_64k,
       "2 fin 65536: " + long_64k + "\n"},
      // Lengths at the edges of each encoding.
      {"empty_frame", role::server, false, from_hex("81 80 01 02 03 04"), "1 fin 0: \n"},
      {"length_125", role::client, false, from_hex("82 7d") + std::string(125, 'a'),
       "2 fin 125: " + std::string(125, 'a') + "\n"},
      {"length_126", role::client, false, from_hex("82 7e 00 7e") + std::string(126, 'a'),
       "2 fin 126: " + std::string(126, 'a') + "\n"},
      {"length_65535", role::client, false, from_hex("82 7e ff ff") + std::string(65535, 'b'),
       "2 fin 65535: " + std::string(65535, 'b') + "\n"},
      {"control_125", role::client, false, from_hex("89 7d") + std::string(125, 'p'),
       "9 fin 125: " + std::string(125, 'p') + "\n"},
      {"rsv1_when_allowed", role::client, true, from_hex("c1 01 41"), "1 fin rsv1 1: A\n"},
      {"two_frames_back_to_back", role::client, false, from_hex("82 01 41 8a 00"),
       "2 fin 1: A\n10 fin 0: \n"},
      // Frame rules, each failing the frame at the byte that breaks it.
      {"rsv1_without_extension", role::client, false, from_hex("c1 01 41"), "fail:reserved_bit\n"},
      {"rsv2", role::client, true, from_hex("a1 01 41"), "fail:reserved_bit\n"},
      {"rsv3", role::client, true, from_hex("91 01 41"), "fail:reserved_bit\n"},
      {"opcode_3", role::client, false, from_hex("83 00"), "fail:reserved_opcode\n"},
      {"opcode_7", role::client, false, from_hex("87 00"), "fail:reserved_opcode\n"},
      {"opcode_b", role::client, false, from_hex("8b 00"), "fail:reserved_opcode\n"},
      {"opcode_f", role::client, false, from_hex("8f 00"), "fail:reserved_opcode\n"},
      {"server_gets_unmasked", role::server, false, from_hex("81 05 48 65 6c 6c 6f"),
       "fail:unmasked_frame\n"},
      {"client_gets_masked", role::client, false, from_hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
       "fail:masked_frame\n"},
      {"fragmented_ping", role::client, false, from_hex("09 00"), "fail:fragmented_control\n"},
      {"fragmented_close", role::client, false, from_hex("08 00"), "fail:fragmented_control\n"},
      {"ping_126", role::client, false, from_hex("89 7e 00 7e"), "fail:control_too_long\n"},
      {"close_127", role::client, false, from_hex("88 7f"), "fail:control_too_long\n"},
      {"rsv1_on_ping", role::client, true, from_hex("c9 00"), "fail:compressed_control\n"},
      {"rsv1_on_continuation", role::client, true, from_hex("c0 00"),
       "fail:compressed_continuation\n"},
      {"length_16_bit_under_126", role::client, false, from_hex("82 7e 00 7d"),
       "fail:non_minimal_length\n"},
      {"length_64_bit_under_65536", role::client, false, from_hex("82 7f 00 00 00 00 00 00 ff ff"),
       "fail:non_minimal_length\n"},
      {"length_64_bit_msb_set", role::client, false, from_hex("82 7f 80 00 00 00 00 00 00 00"),
       "fail:length_too_large\n"},
  };
}

class frame_parser_cases : public testing::TestWithParam<parser_case> {};

// Every case gives the same frames whole, split in two at every byte, and a byte at a time.
TEST_P(frame_parser_cases, parse_the_same_however_the_bytes_arrive) {
  const parser_case& c = GetParam();
  const parser_config config{.local = c.local, .rsv1_allowed = c.rsv1_allowed};
  EXPECT_EQ(parse_frames(config, {c.input}), c.frames);
  // A byte-at-a-time run over 64 KiB takes long for nothing: the splits near the header are
  // where the parser's state changes.
  const std::size_t last_split = std::min<std::size_t>(c.input.size(), 300);
  for (std::size_t at = 1; at < last_split; ++at) {
    EXPECT_EQ(parse_frames(config, {c.input.substr(0, at), c.input.substr(at)}), c.frames)
        << "split at " << at;
  }
  if (c.input.size() <= 300) {
    std::vector<std::string> bytes;
    for (char ch : c.input)
      bytes.emplace_back(1, ch);
    EXPECT_EQ(parse_frames(config, bytes), c.frames) << "byte by byte";
  }
}

INSTANTIATE_TEST_SUITE_P(table, frame_parser_cases, testing::ValuesIn(parser_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

// A frame fails at its first byte when that byte alone breaks a rule: the parser does not wait
// for the second.
TEST(frame_parser, fails_at_the_first_byte_when_it_alone_breaks_a_rule) {
  for (std::string first : {from_hex("83"), from_hex("c1"), from_hex("09"), from_hex("b2")}) {
    frame_parser parser({.local = role::server, .rsv1_allowed = false});
    const frame_event ev = parser.parse(first);
    EXPECT_EQ(ev.what, frame_event::kind::failed) << test::to_hex(first);
  }
}

// Once failed, the parser reports the same failure and consumes nothing more.
TEST(frame_parser, stays_failed) {
  frame_parser parser({.local = role::client, .rsv1_allowed = false});
  std::string bad = from_hex("83 00 81 00");
  EXPECT_EQ(parser.parse(bad).error, receive_error::reserved_opcode);
  const frame_event again = parser.parse(std::span<char>(bad).subspan(2));
  EXPECT_EQ(again.what, frame_event::kind::failed);
  EXPECT_EQ(again.error, receive_error::reserved_opcode);
  EXPECT_EQ(again.consumed, 0u);
}

// Payload bytes are unmasked in the caller's buffer, whatever the phase of the key at which a
// piece starts.
TEST(frame_parser, unmasks_in_place_at_every_phase) {
  std::string payload;
  for (int i = 0; i < 300; ++i)
    payload += static_cast<char>(i * 7);
  const std::string frame = test::client_frame(opcode::binary, payload);
  for (std::size_t piece = 1; piece <= 9; ++piece) {
    frame_parser parser({.local = role::server, .rsv1_allowed = false});
    std::string buffer = frame;
    std::span<char> in(buffer);
    std::string got;
    while (!in.empty()) {
      const std::size_t n = std::min(piece, in.size());
      const frame_event ev = parser.parse(in.first(n));
      ASSERT_NE(ev.what, frame_event::kind::failed);
      if (ev.what == frame_event::kind::payload) got.append(ev.payload);
      in = in.subspan(ev.consumed);
    }
    EXPECT_EQ(got, payload) << "pieces of " << piece;
  }
}

// The writer's headers read back as written, at every length encoding.
TEST(frame_parser, reads_back_what_the_writer_wrote) {
  struct row {
    std::uint64_t length;
    bool masked;
  };
  for (const row r :
       {row{0, false}, row{125, true}, row{126, false}, row{65535, true}, row{65536, false},
        row{std::uint64_t{1} << 32, true}, row{(std::uint64_t{1} << 63) - 1, false}}) {
    const auto mask = r.masked ? std::optional<mask_key>(k) : std::nullopt;
    const frame_head h = format_frame_header(opcode::binary, r.length, {.fin = false}, mask);
    frame_parser parser({.local = r.masked ? role::server : role::client, .rsv1_allowed = false});
    std::string bytes(h.view());
    const frame_event ev = parser.parse(bytes);
    ASSERT_EQ(ev.what, frame_event::kind::header) << r.length;
    EXPECT_EQ(ev.consumed, bytes.size());
    EXPECT_EQ(parser.header().length, r.length);
    EXPECT_EQ(parser.header().op, opcode::binary);
    EXPECT_FALSE(parser.header().fin);
    EXPECT_EQ(parser.header().masked, r.masked);
    if (r.masked) {
      EXPECT_EQ(parser.header().mask, k);
    }
  }
}

}  // namespace
}  // namespace teapot::ws
