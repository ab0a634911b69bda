#include "ws/utf8_validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws_test_support.h"

namespace teapot::ws {
namespace {

using test::from_hex;

struct utf8_case {
  const char* name;
  std::string bytes;
  // The index of the first byte at which feeding stops (as feed() reports it, a byte at a
  // time), or -1 when every byte is accepted; and whether the whole is valid.
  int fails_at;
  bool valid;
};

std::vector<utf8_case> utf8_cases() {
  return {
      {"empty", "", -1, true},
      {"ascii", "Hello, world", -1, true},
      {"long_ascii_then_kappa", std::string(40, 'a') + "\xce\xba", -1, true},
      {"two_bytes", from_hex("ce ba"), -1, true},
      {"three_bytes", from_hex("e2 82 ac"), -1, true},
      {"four_bytes", from_hex("f0 9d 84 9e"), -1, true},
      {"lowest_of_each_length", from_hex("00 c2 80 e0 a0 80 f0 90 80 80"), -1, true},
      {"highest_of_each_length", from_hex("7f df bf ef bf bf f4 8f bf bf"), -1, true},
      {"around_surrogates", from_hex("ed 9f bf ee 80 80"), -1, true},
      {"noncharacters_are_valid", from_hex("ef bf be ef bf bf"), -1, true},
      {"cut_two_bytes", from_hex("ce"), -1, false},
      {"cut_four_bytes", from_hex("f0 9d 84"), -1, false},
      {"lone_continuation", from_hex("41 80"), 1, false},
      {"overlong_c0", from_hex("c0 80"), 0, false},
      {"overlong_c1", from_hex("c1 bf"), 0, false},
      {"overlong_three", from_hex("e0 9f bf"), 1, false},
      {"overlong_four", from_hex("f0 8f bf bf"), 1, false},
      {"surrogate_low", from_hex("ed a0 80"), 1, false},
      {"surrogate_high", from_hex("ed bf bf"), 1, false},
      {"past_10ffff", from_hex("f4 90 80 80"), 1, false},
      {"f5", from_hex("f5 80 80 80"), 0, false},
      {"ff", from_hex("41 42 ff"), 2, false},
      {"lead_then_ascii", from_hex("e2 82 41"), 2, false},
      // Autobahn 6.3.1's text: "κόσμε" then an invalid sequence inside "edited".
      {"autobahn_6_3_1", from_hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"),
       12, false},
  };
}

class utf8_cases_test : public testing::TestWithParam<utf8_case> {};

// The verdict is the same whole and fed a byte at a time, and the byte at which feeding fails
// is the first that no valid text continues with.
TEST_P(utf8_cases_test, judges) {
  const utf8_case& c = GetParam();
  EXPECT_EQ(is_valid_utf8(c.bytes), c.valid);
  utf8_validator v;
  int failed_at = -1;
  for (std::size_t i = 0; i < c.bytes.size(); ++i) {
    if (!v.feed(std::string_view(c.bytes).substr(i, 1))) {
      failed_at = static_cast<int>(i);
      break;
    }
  }
  EXPECT_EQ(failed_at, c.fails_at);
  EXPECT_EQ(v.has_failed(), c.fails_at >= 0);
  EXPECT_EQ(!v.has_failed() && v.is_complete(), c.valid);
  for (std::size_t k = 0; k <= c.bytes.size(); ++k) {
    utf8_validator split;
    const bool ok = split.feed(std::string_view(c.bytes).substr(0, k)) &&
                    split.feed(std::string_view(c.bytes).substr(k));
    EXPECT_EQ(ok && split.is_complete(), c.valid) << "split at " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(table, utf8_cases_test, testing::ValuesIn(utf8_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

// Every code point from U+0000 to U+10FFFF, surrogates excepted, in one text, is valid; each
// surrogate alone is not.
TEST(utf8_validator, every_scalar_value_is_valid) {
  std::string all;
  for (std::uint32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (cp < 0x80) {
      all += static_cast<char>(cp);
    } else if (cp < 0x800) {
      all += static_cast<char>(0xc0 | cp >> 6);
      all += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      all += static_cast<char>(0xe0 | cp >> 12);
      all += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      all += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      all += static_cast<char>(0xf0 | cp >> 18);
      all += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      all += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      all += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  EXPECT_TRUE(is_valid_utf8(all));
  for (std::uint32_t cp = 0xd800; cp <= 0xdfff; ++cp) {
    const std::string s = {static_cast<char>(0xe0 | cp >> 12),
                           static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
                           static_cast<char>(0x80 | (cp & 0x3f))};
    ASSERT_FALSE(is_valid_utf8(s)) << cp;
  }
}

}  // namespace
}  // namespace teapot::ws
