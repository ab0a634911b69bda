#include "ws/message_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws_test_support.h"

namespace teapot::ws {
namespace {

using test::client_frame;
using test::from_hex;
using test::server_frame;
constexpr auto text = opcode::text;
constexpr auto binary = opcode::binary;
constexpr auto cont = opcode::continuation;
constexpr auto ping = opcode::ping;
constexpr auto pong = opcode::pong;
constexpr auto close = opcode::close;

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xff);
  p += reason;
  return p;
}

struct reader_case {
  const char* name;
  std::string input;       // frames as a client sends them (masked)
  std::string transcript;  // test::transcript's lines
  std::uint64_t max_message = 1 << 20;
};

std::vector<reader_case> reader_cases() {
  const std::string kappa = "\xce\xba";         // U+03BA
  const std::string euro = "\xe2\x82\xac";      // U+20AC
  const std::string clef = "\xf0\x9d\x84\x9e";  // U+1D11E
  return {
      // Messages, whole and in fragments, with control frames between the fragments (§5.4).
      {"one_text_frame", client_frame(text, "Hello"), "text:Hello\n"},
      {"one_binary_frame", client_frame(binary, from_hex("00 ff 80")), "binary:00 ff 80\n"},
      {"empty_text", client_frame(text, ""), "text:\n"},
      {"empty_binary", client_frame(binary, ""), "binary:\n"},
      {"three_fragments",
       client_frame(text, "He", false) + client_frame(cont, "ll", false) + client_frame(cont, "o"),
       "text:Hello\n"},
      {"empty_fragments",
       client_frame(binary, "", false) + client_frame(cont, "", false) +
           client_frame(cont, "A", false) + client_frame(cont, ""),
       "binary:41\n"},
      {"ping_between_fragments",
       client_frame(text, "Hel", false) + client_frame(ping, "p") + client_frame(cont, "lo"),
       "ping:p\ntext:Hello\n"},
      {"pong_between_fragments",
       client_frame(text, "Hel", false) + client_frame(pong, "") + client_frame(cont, "lo"),
       "pong:\ntext:Hello\n"},
      {"messages_in_a_row",
       client_frame(text, "a") + client_frame(binary, "b") + client_frame(text, "c", false) +
           client_frame(cont, "d"),
       "text:a\nbinary:62\ntext:cd\n"},
      {"ping_of_125", client_frame(ping, std::string(125, 'z')),
       "ping:" + std::string(125, 'z') + "\n"},
      // §5.4: fragments out of order.
      {"continuation_first", client_frame(cont, "x"), "fail:1002:continuation_without_message\n"},
      {"continuation_after_a_whole_message", client_frame(text, "a") + client_frame(cont, "x"),
       "text:a\nfail:1002:continuation_without_message\n"},
      {"text_inside_a_message", client_frame(text, "a", false) + client_frame(text, "b"),
       "fail:1002:message_interrupted\n"},
      {"binary_inside_a_message", client_frame(binary, "a", false) + client_frame(binary, "b"),
       "fail:1002:message_interrupted\n"},
      // §8.1: text is UTF-8, judged across fragments.
      {"utf8_whole", client_frame(text, kappa + euro + clef), "text:" + kappa + euro + clef + "\n"},
      {"utf8_split_across_fragments",
       client_frame(text, clef.substr(0, 1), false) + client_frame(cont, clef.substr(1, 2), false) +
           client_frame(ping, "") + client_frame(cont, clef.substr(3)),
       "ping:\ntext:" + clef + "\n"},
      {"utf8_cut_at_the_end", client_frame(text, euro.substr(0, 2)), "fail:1007:invalid_utf8\n"},
      {"utf8_cut_at_the_last_fragment",
       client_frame(text, "a", false) + client_frame(cont, euro.substr(0, 1)),
       "fail:1007:invalid_utf8\n"},
      {"utf8_overlong", client_frame(text, "\xc0\x80"), "fail:1007:invalid_utf8\n"},
      {"utf8_surrogate", client_frame(text, "\xed\xa0\x80"), "fail:1007:invalid_utf8\n"},
      {"utf8_past_10ffff", client_frame(text, "\xf4\x90\x80\x80"), "fail:1007:invalid_utf8\n"},
      {"utf8_invalid_in_second_fragment",
       client_frame(text, "ok", false) + client_frame(cont, "\xff"), "fail:1007:invalid_utf8\n"},
      {"binary_is_not_utf8_checked", client_frame(binary, "\xff\xfe"), "binary:ff fe\n"},
      // §5.5.1, §7.4: Close frames.
      {"close_empty", client_frame(close, ""), "close:1005:\n"},
      {"close_with_code", client_frame(close, close_payload(1000)), "close:1000:\n"},
      {"close_with_reason", client_frame(close, close_payload(1001, "bye " + kappa)),
       "close:1001:bye " + kappa + "\n"},
      {"close_between_fragments", client_frame(text, "a", false) + client_frame(close, ""),
       "close:1005:\n"},
      {"close_of_one_byte", client_frame(close, "\x03"), "fail:1002:bad_close_length\n"},
      {"close_reason_not_utf8", client_frame(close, close_payload(1000, "\xff")),
       "fail:1007:invalid_close_reason\n"},
      {"close_reason_cut_code_point", client_frame(close, close_payload(1000, euro.substr(0, 2))),
       "fail:1007:invalid_close_reason\n"},
      {"after_close_nothing_counts", client_frame(close, "") + client_frame(text, "late") + "\xff",
       "close:1005:\n"},
      // §5.4 and the size limit (1009), judged at the header that passes it.
      {"message_at_the_limit", client_frame(text, std::string(10, 'a')),
       "text:" + std::string(10, 'a') + "\n", 10},
      {"frame_past_the_limit", client_frame(text, std::string(11, 'a')),
       "fail:1009:message_too_big\n", 10},
      {"fragments_past_the_limit",
       client_frame(binary, std::string(6, 'a'), false) + client_frame(cont, std::string(5, 'a')),
       "fail:1009:message_too_big\n", 10},
      {"control_frames_do_not_count",
       client_frame(text, std::string(6, 'a'), false) + client_frame(ping, std::string(20, 'p')) +
           client_frame(cont, std::string(4, 'a')),
       "ping:" + std::string(20, 'p') + "\ntext:" + std::string(10, 'a') + "\n", 10},
      {"limit_is_per_message",
       client_frame(text, std::string(8, 'a')) + client_frame(text, std::string(8, 'b')),
       "text:" + std::string(8, 'a') + "\ntext:" + std::string(8, 'b') + "\n", 10},
      // Frame rules come up from the parser.
      {"unmasked_frame", server_frame(text, "Hello"), "fail:1002:unmasked_frame\n"},
      {"rsv1_without_deflate", client_frame(text, "a", true, true), "fail:1002:reserved_bit\n"},
      {"reserved_opcode_after_a_message", client_frame(text, "a") + from_hex("84 80 00 00 00 00"),
       "text:a\nfail:1002:reserved_opcode\n"},
  };
}

class message_reader_cases : public testing::TestWithParam<reader_case> {};

TEST_P(message_reader_cases, read_the_same_however_the_bytes_arrive) {
  const reader_case& c = GetParam();
  reader_config config;
  config.max_message = c.max_message;
  const test::replay_result r = test::replay(config, c.input);
  EXPECT_EQ(r.whole, c.transcript);
  EXPECT_FALSE(r.differs) << *r.differs;
}

INSTANTIATE_TEST_SUITE_P(table, message_reader_cases, testing::ValuesIn(reader_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

// §7.4: the codes a Close frame may carry, and those that fail the connection.
TEST(message_reader, close_codes) {
  struct row {
    std::uint16_t code;
    bool valid;
  };
  for (const row r :
       {row{0, false},    row{999, false},  row{1000, true},  row{1001, true},  row{1002, true},
        row{1003, true},  row{1004, false}, row{1005, false}, row{1006, false}, row{1007, true},
        row{1008, true},  row{1009, true},  row{1010, true},  row{1011, true},  row{1012, true},
        row{1013, true},  row{1014, true},  row{1015, false}, row{1016, false}, row{1100, false},
        row{2000, false}, row{2999, false}, row{3000, true},  row{3999, true},  row{4000, true},
        row{4999, true},  row{5000, false}, row{65535, false}}) {
    const std::string t = test::run_reader({}, {client_frame(close, close_payload(r.code))});
    const std::string expected =
        r.valid ? "close:" + std::to_string(r.code) + ":\n" : "fail:1002:bad_close_code\n";
    EXPECT_EQ(t, expected) << r.code;
  }
}

// Autobahn's section 6.4: a text frame whose first bytes cannot be UTF-8 fails before the rest
// of the frame arrives.
TEST(message_reader, invalid_utf8_fails_before_the_frame_ends) {
  const std::string frame = client_frame(text, "\xce\xba\xf4\x90 and more text to come");
  message_reader reader({});
  std::string part = frame.substr(0, 6 + 4);  // header, mask key, four payload bytes
  message_event ev = reader.read(part);
  while (ev.what == message_event::kind::data) {
    part.erase(0, ev.consumed);
    ev = reader.read(part);
  }
  EXPECT_EQ(ev.what, message_event::kind::failed);
  EXPECT_EQ(ev.error, receive_error::invalid_utf8);
}

// A frame whose length passes the limit fails at its header, before its payload is awaited.
TEST(message_reader, a_frame_too_big_fails_at_its_header) {
  reader_config config;
  config.max_message = 1000;
  message_reader reader(config);
  std::string head(format_frame_header(binary, 1'000'000, {}, test::test_mask).view());
  const message_event ev = reader.read(head);
  EXPECT_EQ(ev.what, message_event::kind::failed);
  EXPECT_EQ(ev.error, receive_error::message_too_big);
  EXPECT_EQ(to_close_code(ev.error), close_code::message_too_big);
}

// Pieces of a long message come as their bytes do; none is held back to be given whole.
TEST(message_reader, gives_a_message_in_pieces_as_it_arrives) {
  const std::string payload(100'000, 'q');
  const std::string frame = client_frame(binary, payload);
  message_reader reader({});
  std::string first = frame.substr(0, 5000);
  const message_event ev = reader.read(first);
  ASSERT_EQ(ev.what, message_event::kind::data);
  EXPECT_TRUE(ev.first);
  EXPECT_FALSE(ev.last);
  EXPECT_EQ(ev.payload, payload.substr(0, 5000 - 14));
}

// The client role reads a server's unmasked frames and refuses masked ones (§5.1).
TEST(message_reader, client_role) {
  reader_config config;
  config.local = role::client;
  EXPECT_EQ(test::run_reader(config, {server_frame(text, "hi") + server_frame(ping, "")}),
            "text:hi\nping:\n");
  EXPECT_EQ(test::run_reader(config, {client_frame(text, "hi")}), "fail:1002:masked_frame\n");
}

}  // namespace
}  // namespace teapot::ws
