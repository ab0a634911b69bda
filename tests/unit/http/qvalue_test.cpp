// The weight of a negotiation list element (RFC 9110 §12.4.2), as a table, and through both
// readers that share it.
#include "http/qvalue.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/accept_language.h"
#include "http/negotiation.h"

namespace teapot::http {
namespace {

struct qvalue_case {
  std::string_view text;
  std::optional<int> thousandths;  // nullopt: refused
};

constexpr qvalue_case qvalue_cases[] = {
    {"0", 0},
    {"1", 1000},
    {"0.", 0},
    {"1.", 1000},
    {"0.5", 500},
    {"0.05", 50},
    {"0.005", 5},
    {"0.123", 123},
    {"0.999", 999},
    {"1.0", 1000},
    {"1.00", 1000},
    {"1.000", 1000},
    {"0.000", 0},
    // Refused: a fourth decimal, above 1, another leading digit, no leading digit, a sign,
    // whitespace (the caller trims the OWS around ';'), a quoted or empty value.
    {"1.0001", std::nullopt},
    {"0.1234", std::nullopt},
    {"1.001", std::nullopt},
    {"1.5", std::nullopt},
    {"2", std::nullopt},
    {".5", std::nullopt},
    {"+0.5", std::nullopt},
    {"-0", std::nullopt},
    {"0,5", std::nullopt},
    {"0.5 ", std::nullopt},
    {" 0.5", std::nullopt},
    {"0. 5", std::nullopt},
    {"\"0.5\"", std::nullopt},
    {"0.x", std::nullopt},
    {"", std::nullopt},
};

TEST(parse_qvalue, table) {
  for (const qvalue_case& c : qvalue_cases) {
    int out = -1;
    const bool ok = parse_qvalue(c.text, out);
    EXPECT_EQ(ok, c.thousandths.has_value()) << '"' << c.text << '"';
    EXPECT_EQ(out, c.thousandths.value_or(-1)) << '"' << c.text << '"';
  }
}

// RFC 9110 §12.4.2: weight = OWS ";" OWS "q=" qvalue. Both readers take the same spellings.
TEST(parse_qvalue, both_readers_allow_whitespace_around_the_semicolon_only) {
  const struct {
    std::string_view element;  // for the language "fr" and the media type "text/html"
    std::optional<int> weight;
  } cases[] = {
      {";q=0.5", 500},
      {" ;q=0.5", 500},
      {"; q=0.5", 500},
      {" ; q=0.5", 500},
      {"\t;\tq=0.5", 500},
      {";Q=0.5", 500},
      {";q=1.000", 1000},
      {";q=0", 0},
      {";q=1.0001", std::nullopt},
      {";q = 0.5", std::nullopt},
      {";q= 0.5", std::nullopt},
      {";q =0.5", std::nullopt},
  };
  for (const auto& c : cases) {
    const std::string language = "fr" + std::string(c.element);
    EXPECT_EQ(language_range_weight(language, "fr"), c.weight) << language;
    const std::string media = "text/html" + std::string(c.element);
    std::vector<weighted_value> list;
    const bool ok = parse_weighted_list(media, list);
    EXPECT_EQ(ok, c.weight.has_value()) << media;
    if (ok && c.weight) {
      ASSERT_EQ(list.size(), 1u) << media;
      EXPECT_EQ(list[0].q, *c.weight) << media;
    }
  }
}

}  // namespace
}  // namespace teapot::http
