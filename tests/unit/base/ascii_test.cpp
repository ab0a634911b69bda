#include "base/ascii.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace teapot::base::ascii {
namespace {

// Each class checked over all 256 bytes against its grammar written out longhand.
TEST(ascii, tchar_is_rfc9110_token_alphabet) {
  constexpr std::string_view punct = "!#$%&'*+-.^_`|~";
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool expected = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
                          (b >= 'A' && b <= 'Z') || punct.find(c) != std::string_view::npos;
    EXPECT_EQ(is_tchar(c), expected) << b;
  }
}

TEST(ascii, field_vchar_is_vchar_or_obs_text) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    EXPECT_EQ(is_field_vchar(c), (b >= 0x21 && b <= 0x7e) || b >= 0x80) << b;
    EXPECT_EQ(is_field_content(c), is_field_vchar(c) || b == ' ' || b == '\t') << b;
  }
}

TEST(ascii, digits_and_hexdigs) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    EXPECT_EQ(is_digit(c), b >= '0' && b <= '9') << b;
    EXPECT_EQ(is_hexdig(c),
              (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'))
        << b;
  }
  EXPECT_EQ(hex_value('0'), 0u);
  EXPECT_EQ(hex_value('9'), 9u);
  EXPECT_EQ(hex_value('a'), 10u);
  EXPECT_EQ(hex_value('F'), 15u);
}

TEST(ascii, target_characters_exclude_fragment_space_ctl_and_high_bytes) {
  for (char c : std::string_view("/?%:@[]!$&'()*+,;=-._~azAZ09"))
    EXPECT_TRUE(is_target_char(c)) << c;
  for (char c : std::string_view("# \"<>\\^`{|}\t\r\n\x7f\x01"))
    EXPECT_FALSE(is_target_char(c)) << +c;
  EXPECT_FALSE(is_target_char('\0'));
  for (int b = 0x80; b < 256; ++b)
    EXPECT_FALSE(is_target_char(static_cast<char>(b))) << b;
}

// What the request line takes: RFC 3986's alphabet, the printable ASCII it leaves out but
// browsers and curl send, and obs-text; never '#', SP, CTLs or DEL (docs/parser-deviations.md).
TEST(ascii, wire_target_characters_are_vchar_but_fragment_and_obs_text) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool expected = (b >= 0x21 && b <= 0x7e && b != '#') || b >= 0x80;
    EXPECT_EQ(is_wire_target_char(c), expected) << b;
    if (is_target_char(c)) {
      EXPECT_TRUE(is_wire_target_char(c)) << b;
    }
  }
}

TEST(ascii, qdtext_excludes_quote_backslash_and_ctls) {
  EXPECT_FALSE(is_qdtext('"'));
  EXPECT_FALSE(is_qdtext('\\'));
  EXPECT_FALSE(is_qdtext('\r'));
  EXPECT_FALSE(is_qdtext('\x7f'));
  EXPECT_TRUE(is_qdtext(' '));
  EXPECT_TRUE(is_qdtext('\t'));
  EXPECT_TRUE(is_qdtext('\x80'));
}

TEST(ascii, case_insensitive_compare_and_helpers) {
  static_assert(iequals("Content-Length", "content-LENGTH"));
  EXPECT_TRUE(iequals("Host", "hOST"));
  EXPECT_FALSE(iequals("Host", "Hosts"));
  EXPECT_FALSE(iequals("a\xc0", "a\xe0"));  // only ASCII letters fold
  EXPECT_EQ(to_lower('Z'), 'z');
  EXPECT_EQ(to_lower('['), '[');
  EXPECT_TRUE(is_token("chunked"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("\"chunked\""));
  EXPECT_EQ(trim_ows(" \t a b \t"), "a b");
  EXPECT_EQ(trim_ows("   "), "");
}

// The eight-bytes-at-a-time check must agree with the per-byte class for every byte at every
// position of a word, and in the tail after the last whole word.
TEST(ascii, field_value_agrees_with_field_content_for_each_byte_at_each_position) {
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (unsigned b = 0; b < 256; ++b) {
        std::string value(length, 'a');
        value[at] = static_cast<char>(b);
        EXPECT_EQ(is_field_value(value), is_field_content(static_cast<char>(b)))
            << "byte " << b << " at " << at << " of " << length;
      }
    }
  }
  EXPECT_TRUE(is_field_value(""));
  EXPECT_TRUE(is_field_value("W/\"x\"\ttext/html; charset=utf-8 \x80\xff"));
  EXPECT_FALSE(is_field_value("Thu, 01 Jan 1970 00:00:00 GMT\r\nX: 1"));
}

}  // namespace
}  // namespace teapot::base::ascii

TEST(ascii, append_hex_writes_lower_case_digits_zero_padded) {
  std::string out = "\\x";
  teapot::base::ascii::append_hex(out, 0x1b, 2);
  EXPECT_EQ(out, "\\x1b");
  out.clear();
  teapot::base::ascii::append_hex(out, 7, 4);
  EXPECT_EQ(out, "0007");
  out.clear();
  teapot::base::ascii::append_hex(out, 0xABCDE, 4);  // the low digits of a larger value
  EXPECT_EQ(out, "bcde");
}
