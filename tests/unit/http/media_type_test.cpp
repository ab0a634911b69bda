// Content-Type values (RFC 9110 §8.3.1, §5.6.6): the media type, its charset parameter and
// where it stands, what is not media-type grammar, and the value with its charset replaced.
#include "http/media_type.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace teapot::http {
namespace {

struct parse_case {
  std::string_view value;
  bool valid;
  std::string_view type, subtype;
  std::optional<std::string_view> label;  // the charset
  std::string_view as_utf8;               // with_charset(value, charset, "utf-8")
};

const parse_case parse_cases[] = {
    {"text/html", true, "text", "html", std::nullopt, ""},
    {"text/html; charset=windows-1252", true, "text", "html", "windows-1252",
     "text/html; charset=utf-8"},
    {"text/html;charset=latin1", true, "text", "html", "latin1", "text/html;charset=utf-8"},
    {"TEXT/Plain; CharSet=\"ISO-8859-1\"; level=1", true, "TEXT", "Plain", "ISO-8859-1",
     "TEXT/Plain; CharSet=utf-8; level=1"},
    {"text/plain; format=flowed ; charset=cp1252 ;", true, "text", "plain", "cp1252",
     "text/plain; format=flowed ; charset=utf-8 ;"},
    {" text/css ;; charset=l1\t", true, "text", "css", "l1", " text/css ;; charset=utf-8\t"},
    {"text/plain; a=\"x;charset=latin1\"", true, "text", "plain", std::nullopt, ""},
    {"text/plain; charset=\"a\\\"b\"", true, "text", "plain", "a\\\"b",
     "text/plain; charset=utf-8"},
    {"text/html;", true, "text", "html", std::nullopt, ""},
    {"application/xhtml+xml; charset=latin1", true, "application", "xhtml+xml", "latin1",
     "application/xhtml+xml; charset=utf-8"},
    {"", false, "", "", std::nullopt, ""},
    {"text", false, "", "", std::nullopt, ""},
    {"text/", false, "", "", std::nullopt, ""},
    {"/html", false, "", "", std::nullopt, ""},
    {"text/html charset=latin1", false, "", "", std::nullopt, ""},
    {"text/html; charset", false, "", "", std::nullopt, ""},
    {"text/html; charset=", false, "", "", std::nullopt, ""},
    {"text/html; =latin1", false, "", "", std::nullopt, ""},
    {"text/html; charset=latin 1", false, "", "", std::nullopt, ""},
    {"text/html; charset = latin1", false, "", "", std::nullopt, ""},
    {"text/html; charset=\"latin1", false, "", "", std::nullopt, ""},
    {"text/html; charset=latin1; charset=utf-8", false, "", "", std::nullopt, ""},
    {"text/html; charset=\"lat\x01in1\"", false, "", "", std::nullopt, ""},
};

TEST(parse_media_type, reads_each_value_of_the_table) {
  for (const parse_case& c : parse_cases) {
    const std::optional<media_type> m = parse_media_type(c.value);
    ASSERT_EQ(m.has_value(), c.valid) << c.value;
    if (!m) continue;
    EXPECT_EQ(m->type, c.type) << c.value;
    EXPECT_EQ(m->subtype, c.subtype) << c.value;
    ASSERT_EQ(m->charset.has_value(), c.label.has_value()) << c.value;
    if (!m->charset) continue;
    EXPECT_EQ(m->charset->label, *c.label) << c.value;
    EXPECT_EQ(with_charset(c.value, *m->charset, "utf-8"), c.as_utf8) << c.value;
  }
}

}  // namespace
}  // namespace teapot::http
