// List fields (RFC 9110 §5.6.1), Expect (§10.1.1) and the fields a trailer may carry (§6.5.1):
// the readings every transport shares.
#include "http/field_lists.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "http/trailer_fields.h"

namespace teapot::http {
namespace {

TEST(FieldLists, ElementsAreTrimmedAndEmptyOnesKept) {
  std::vector<std::string> seen;
  for_each_element(" a ,b,\t, c\t", [&](std::string_view e) { seen.emplace_back(e); });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "", "c"}));
}

struct token_case {
  std::string_view list;
  std::string_view token;
  bool has;
};

constexpr token_case token_cases[] = {
    {"Upgrade, HTTP2-Settings", "http2-settings", true},
    {"h2c", "H2C", true},
    {" keep-alive , close ", "close", true},
    {"closed", "close", false},
    {"close-ish, x", "close", false},
    {"", "close", false},
    {",,", "close", false},
    {"a,close", "close", true},
};

TEST(FieldLists, ListHasTokenIgnoresCaseAndWhitespaceNotSpelling) {
  for (const token_case& c : token_cases)
    EXPECT_EQ(list_has_token(c.list, c.token), c.has) << c.list << " / " << c.token;
}

struct expect_case {
  std::string_view value;
  bool continue_100;
  bool other;
};

constexpr expect_case expect_cases[] = {
    {"100-continue", true, false},
    {"100-Continue", true, false},
    {" 100-continue ", true, false},
    {"", false, false},
    {" , ", false, false},
    {"101-continue", false, true},
    {"100-continue, foo", true, true},
    {"foo=bar", false, true},
    {"100-continue;x=1", false, true},
};

TEST(FieldLists, OnlyOneHundredContinueIsAnExpectationTheServerMeets) {
  for (const expect_case& c : expect_cases) {
    expectations e;
    note_expectations(c.value, e);
    EXPECT_EQ(e.continue_100, c.continue_100) << c.value;
    EXPECT_EQ(e.other, c.other) << c.value;
  }
}

TEST(FieldLists, ExpectationsAddUpOverSeveralFields) {
  expectations e;
  note_expectations("100-continue", e);
  note_expectations("", e);
  EXPECT_TRUE(e.continue_100);
  EXPECT_FALSE(e.other);
  note_expectations("x", e);
  EXPECT_TRUE(e.other);
}

struct trail_case {
  std::string_view name;
  std::string_view value;
  bool may;
};

constexpr trail_case trail_cases[] = {
    {"Server-Timing", "total;dur=12", true},
    {"x-checksum", "abc", true},
    {"Digest", "sha-256=abc", true},
    {"Content-Length", "10", false},
    {"content-length", "10", false},
    {"Transfer-Encoding", "chunked", false},
    {"Connection", "close", false},
    {"Proxy-Connection", "close", false},
    {"TE", "trailers", false},
    {"Trailer", "x", false},
    {"Host", "a", false},
    {"Authorization", "Basic x", false},
    {"Set-Cookie", "a=b", false},
    {"Content-Type", "text/plain", false},
    {"Cache-Control", "no-store", false},
    {"Location", "/", false},
    {"Date", "x", false},
    {"bad name", "x", false},
    {"", "x", false},
    {"x-ok", "a\r\nb", false},
    {"x-ok", std::string_view("a\0b", 3), false},
};

TEST(TrailerFields, FramingRoutingAuthAndContentFieldsNeverTrail) {
  for (const trail_case& c : trail_cases)
    EXPECT_EQ(may_trail(c.name, c.value), c.may) << c.name;
}

}  // namespace
}  // namespace teapot::http
