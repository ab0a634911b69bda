// Legacy text to UTF-8 as a browser decodes it (WHATWG Encoding): windows-1252 for each of its
// labels, the five bytes it leaves undefined, a byte order mark that overrides the label, and
// every case fed whole, byte by byte, and cut in two at every byte.
#include "http/charset_transcoder.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::http {
namespace {

using namespace std::string_view_literals;

// The UTF-8 of one code point, written by the test (the oracle is not the code under test).
std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

std::string transcode_in_pieces(std::string_view in, const std::vector<std::size_t>& cuts) {
  charset_transcoder t(legacy_charset::windows_1252);
  EXPECT_TRUE(t.is_open());
  std::string out;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    t.transcode(in.substr(from, cut - from), out);
    from = cut;
  }
  t.transcode(in.substr(from), out);
  t.finish(out);
  return out;
}

// Whole, one byte per call, and in two pieces cut at every byte: the same text each time.
void expect_transcoded(std::string_view in, std::string_view expected, std::string_view why) {
  EXPECT_EQ(transcode_in_pieces(in, {}), expected) << why << " (whole)";
  std::vector<std::size_t> bytes;
  for (std::size_t k = 1; k < in.size(); ++k)
    bytes.push_back(k);
  EXPECT_EQ(transcode_in_pieces(in, bytes), expected) << why << " (byte by byte)";
  for (std::size_t k = 0; k <= in.size(); ++k)
    EXPECT_EQ(transcode_in_pieces(in, {k}), expected) << why << " (cut at " << k << ")";
}

struct label_case {
  std::string_view label;
  std::optional<legacy_charset> expected;
};

constexpr std::optional<legacy_charset> none = std::nullopt;
constexpr std::optional<legacy_charset> w1252 = legacy_charset::windows_1252;

const label_case label_cases[] = {
    {"windows-1252", w1252},
    {"WINDOWS-1252", w1252},
    {"iso-8859-1", w1252},  // the standard's: as browsers read it
    {"ISO_8859-1:1987", w1252},
    {"latin1", w1252},
    {"l1", w1252},
    {"cp1252", w1252},
    {"x-cp1252", w1252},
    {"cp819", w1252},
    {"ibm819", w1252},
    {"iso-ir-100", w1252},
    {"iso8859-1", w1252},
    {"iso88591", w1252},
    {"csisolatin1", w1252},
    {" latin1\t", w1252},  // ASCII whitespace around a label is no part of it
    {"\r\nlatin1\f", w1252},
    {"us-ascii", none},  // ASCII is UTF-8 already
    {"ascii", none},
    {"ansi_x3.4-1968", none},
    {"utf-8", none},
    {"iso-8859-15", none},
    {"windows-1251", none},
    {"latin 1", none},
    {"latin1x", none},
    {"", none},
};

TEST(legacy_charset_for_label, reads_each_label_of_the_table) {
  for (const label_case& c : label_cases)
    EXPECT_EQ(legacy_charset_for_label(c.label), c.expected) << c.label;
}

TEST(charset_transcoder, decodes_windows_1252_text) {
  expect_transcoded("caf\xE9 \x93quoted\x94 \x80",
                    "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC",
                    "accents, curly quotes and the euro");
  expect_transcoded("", "", "nothing");
  expect_transcoded("plain", "plain", "ASCII");
}

// Below 0x80 and from 0xA0 windows-1252 is ISO-8859-1: each byte is the code point of its value.
TEST(charset_transcoder, maps_the_latin1_ranges_to_the_code_point_of_each_byte) {
  std::string in;
  std::string expected;
  for (unsigned b = 0; b < 0x100; ++b) {
    if (b >= 0x80 && b < 0xA0) continue;
    in += static_cast<char>(b);
    expected += utf8(b);
  }
  EXPECT_EQ(transcode_in_pieces(in, {}), expected);
}

struct c1_case {
  char byte;
  char32_t code_point;
};

// The 0x80-0x9F row of windows-1252 (WHATWG index-windows-1252.txt), and its five undefined
// bytes as the C1 controls of the same number.
const c1_case c1_cases[] = {
    {'\x80', 0x20AC}, {'\x81', 0x0081}, {'\x82', 0x201A}, {'\x83', 0x0192}, {'\x84', 0x201E},
    {'\x85', 0x2026}, {'\x86', 0x2020}, {'\x87', 0x2021}, {'\x88', 0x02C6}, {'\x89', 0x2030},
    {'\x8A', 0x0160}, {'\x8B', 0x2039}, {'\x8C', 0x0152}, {'\x8D', 0x008D}, {'\x8E', 0x017D},
    {'\x8F', 0x008F}, {'\x90', 0x0090}, {'\x91', 0x2018}, {'\x92', 0x2019}, {'\x93', 0x201C},
    {'\x94', 0x201D}, {'\x95', 0x2022}, {'\x96', 0x2013}, {'\x97', 0x2014}, {'\x98', 0x02DC},
    {'\x99', 0x2122}, {'\x9A', 0x0161}, {'\x9B', 0x203A}, {'\x9C', 0x0153}, {'\x9D', 0x009D},
    {'\x9E', 0x017E}, {'\x9F', 0x0178},
};

TEST(charset_transcoder, decodes_the_0x80_row_as_the_standard_and_its_holes_as_c1_controls) {
  for (const c1_case& c : c1_cases) {
    const std::string in = std::string("<") + c.byte + ">";
    expect_transcoded(in, "<" + utf8(c.code_point) + ">", in);
  }
}

struct bom_case {
  std::string_view why;
  std::string_view in;
  std::string expected;
};

const bom_case bom_cases[] = {
    {"a UTF-8 mark: UTF-8 passes, without the mark",
     "\xEF\xBB\xBF"
     "caf\xC3\xA9",
     "caf\xC3\xA9"},
    {"a UTF-8 mark alone", "\xEF\xBB\xBF", ""},
    {"the start of a UTF-8 mark, then the end: windows-1252", "\xEF\xBB", utf8(0xEF) + utf8(0xBB)},
    {"the start of a mark, then other bytes", "\xEF\xBBx", utf8(0xEF) + utf8(0xBB) + "x"},
    {"the mark's bytes later in the text are text", "x\xEF\xBB\xBF",
     "x" + utf8(0xEF) + utf8(0xBB) + utf8(0xBF)},
    {"UTF-16LE",
     "\xFF\xFE"
     "c\x00"
     "a\x00"
     "f\x00"
     "\xE9\x00"sv,
     "caf" + utf8(0xE9)},
    {"UTF-16BE",
     "\xFE\xFF"
     "\x00"
     "c\x00"
     "a\x00"
     "f\x00\xE9"sv,
     "caf" + utf8(0xE9)},
    {"UTF-16LE, a surrogate pair", "\xFF\xFE\x3D\xD8\x00\xDE!\x00"sv, utf8(0x1F600) + "!"},
    {"UTF-16BE, a surrogate pair", "\xFE\xFF\xD8\x3D\xDE\x00\x00!"sv, utf8(0x1F600) + "!"},
    {"UTF-16LE, a lone low surrogate",
     "\xFF\xFE\x00\xDC"
     "a\x00"sv,
     utf8(0xFFFD) + "a"},
    {"UTF-16LE, a high surrogate before no low one",
     "\xFF\xFE\x3D\xD8"
     "a\x00"sv,
     utf8(0xFFFD) + "a"},
    {"UTF-16LE, a high surrogate at the end", "\xFF\xFE\x3D\xD8", utf8(0xFFFD)},
    {"UTF-16LE, an odd byte at the end",
     "\xFF\xFE"
     "a\x00"
     "b"sv,
     "a" + utf8(0xFFFD)},
    {"UTF-16, the mark alone", "\xFF\xFE", ""},
    {"0xFE alone: windows-1252", "\xFE", utf8(0xFE)},
    {"0xFF then text: windows-1252", "\xFFx", utf8(0xFF) + "x"},
};

TEST(charset_transcoder, lets_a_byte_order_mark_override_the_label) {
  for (const bom_case& c : bom_cases)
    expect_transcoded(c.in, c.expected, c.why);
}

TEST(charset_transcoder, transcodes_a_large_text_given_in_uneven_pieces) {
  std::string in;
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    in += "caf\xE9 \x93\x80\x94 ";
    expected += "caf\xC3\xA9 \xE2\x80\x9C\xE2\x82\xAC\xE2\x80\x9D ";
  }
  std::vector<std::size_t> cuts;
  for (std::size_t at = 1, step = 1; at < in.size(); at += step, step = step * 7 % 65537)
    cuts.push_back(at);
  EXPECT_EQ(transcode_in_pieces(in, cuts), expected);
}

}  // namespace
}  // namespace teapot::http
