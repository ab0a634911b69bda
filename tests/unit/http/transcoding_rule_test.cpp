// When the transforming proxy transcodes (RFC 9110 §7.7, §15.3.4; RFC 9111 §5.2): a 200 of
// text/* with a legacy charset, without no-transform and without a coding; and the readings of
// Cache-Control and Content-Encoding the decision needs.
#include "http/transcoding_rule.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace teapot::http {
namespace {

struct rule_case {
  std::string_view why;
  transcoding_facts facts;
  bool transcoded;
};

constexpr std::string_view legacy_text = "text/html; charset=windows-1252";

const rule_case rule_cases[] = {
    {"a 200 of text in windows-1252", {200, legacy_text, false, false}, true},
    {"a label browsers read as windows-1252",
     {200, "text/plain;charset=ISO-8859-1", false, false},
     true},
    {"any text subtype", {200, "text/x-anything; charset=latin1", false, false}, true},
    {"a 206 is never transformed", {206, legacy_text, false, false}, false},
    {"a 203 already", {203, legacy_text, false, false}, false},
    {"a 404", {404, legacy_text, false, false}, false},
    {"a 500", {500, legacy_text, false, false}, false},
    {"no-transform", {200, legacy_text, false, true}, false},
    {"a coded content", {200, legacy_text, true, false}, false},
    {"UTF-8 already", {200, "text/html; charset=utf-8", false, false}, false},
    {"US-ASCII is UTF-8 already", {200, "text/plain; charset=us-ascii", false, false}, false},
    {"no charset declared", {200, "text/html", false, false}, false},
    {"no Content-Type", {200, "", false, false}, false},
    {"not text", {200, "application/xml; charset=windows-1252", false, false}, false},
    {"two charsets", {200, "text/html; charset=latin1; charset=utf-8", false, false}, false},
    {"not media-type grammar", {200, "text/html; charset=latin 1", false, false}, false},
};

TEST(charset_to_transcode, decides_each_case_of_the_table) {
  for (const rule_case& c : rule_cases)
    EXPECT_EQ(charset_to_transcode(c.facts).has_value(), c.transcoded) << c.why;
}

struct directive_case {
  std::string_view value;
  bool no_transform;
};

const directive_case directive_cases[] = {
    {"no-transform", true},
    {"No-Transform", true},
    {"max-age=60, no-transform", true},
    {"no-transform, private", true},
    {" public ,no-transform ", true},
    {"no-transform=\"x\"", true},  // an argument it should not have changes nothing
    {"", false},
    {"no-cache", false},
    {"no-transformer", false},
    {"x-no-transform", false},
    {"private=\"a, no-transform\"", false},  // inside a quoted argument
    {"private=\"a\\\", no-transform\"", false},
    {"private=\"a\", no-transform", true},
};

TEST(has_no_transform, reads_each_value_of_the_table) {
  for (const directive_case& c : directive_cases)
    EXPECT_EQ(has_no_transform(c.value), c.no_transform) << c.value;
}

TEST(is_content_coded, names_any_coding_but_identity) {
  EXPECT_TRUE(is_content_coded("gzip"));
  EXPECT_TRUE(is_content_coded("identity, br"));
  EXPECT_TRUE(is_content_coded("x-custom"));
  EXPECT_FALSE(is_content_coded("identity"));
  EXPECT_FALSE(is_content_coded("Identity"));
  EXPECT_FALSE(is_content_coded(""));
  EXPECT_FALSE(is_content_coded(" , "));
}

}  // namespace
}  // namespace teapot::http
