#include "http/path.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

namespace teapot::http {
namespace {

struct path_case {
  const char* raw;
  path_error error;
  const char* normalized;  // with path_error::none
};

// RFC 3986 §5.2.4 dot-segment removal, §2.1 percent-decoding, and the policies of the attack
// corpus: one decoding only, no encoded slash, no control bytes, valid UTF-8, nothing above "/".
const path_case cases[] = {
    {"/", path_error::none, "/"},
    {"/index.html", path_error::none, "/index.html"},
    {"/a/b/c.txt", path_error::none, "/a/b/c.txt"},
    {"/dir/", path_error::none, "/dir/"},
    {"/a//b", path_error::none, "/a/b"},
    {"//a", path_error::none, "/a"},
    {"/a/./b", path_error::none, "/a/b"},
    {"/a/../b", path_error::none, "/b"},
    {"/a/b/..", path_error::none, "/a/"},
    {"/a/b/.", path_error::none, "/a/b/"},
    {"/static/./sub/../file.txt", path_error::none, "/static/file.txt"},
    {"/..", path_error::above_root, ""},
    {"/../etc/passwd", path_error::above_root, ""},
    {"/a/../../etc", path_error::above_root, ""},
    {"/%2e%2e/etc/passwd", path_error::above_root, ""},
    {"/%2E%2E/", path_error::above_root, ""},
    {"/a/%2e/b", path_error::none, "/a/b"},
    {"/.well-known/x", path_error::none, "/.well-known/x"},
    {"/..a", path_error::none, "/..a"},
    {"/a..", path_error::none, "/a.."},
    {"/%41%42", path_error::none, "/AB"},
    {"/hello%20world.txt", path_error::none, "/hello world.txt"},
    {"/%252e%252e/", path_error::none, "/%2e%2e/"},  // decoded once only
    {"/caf%C3%A9", path_error::none, "/caf\xC3\xA9"},
    {"/a%2Fb", path_error::encoded_slash, ""},
    {"/a%2fb", path_error::encoded_slash, ""},
    {"/a%5Cb", path_error::encoded_backslash, ""},
    {"/a\\b", path_error::backslash, ""},
    {"/a\\..\\..\\etc", path_error::backslash, ""},
    {"/caf\xC3\xA9", path_error::none, "/caf\xC3\xA9"},  // raw UTF-8, as the request line takes it
    {"/caf\xE9", path_error::invalid_utf8, ""},
    {"/a|b^{c}", path_error::none, "/a|b^{c}"},
    {"/static/..%5c..%5c..%5cetc/passwd", path_error::encoded_backslash, ""},
    {"/%", path_error::bad_percent_encoding, ""},
    {"/%4", path_error::bad_percent_encoding, ""},
    {"/%%32%65", path_error::bad_percent_encoding, ""},
    {"/%zz", path_error::bad_percent_encoding, ""},
    {"/%00", path_error::control_character, ""},
    {"/a%0d%0aSet-Cookie:x", path_error::control_character, ""},
    {"/%7f", path_error::control_character, ""},
    {"/%c0%ae%c0%ae/", path_error::invalid_utf8, ""},  // overlong '.'
    {"/%e0%80%ae", path_error::invalid_utf8, ""},      // overlong, three bytes
    {"/%ed%a0%80", path_error::invalid_utf8, ""},      // a surrogate
    {"/%f4%90%80%80", path_error::invalid_utf8, ""},   // above U+10FFFF
    {"/%c3", path_error::invalid_utf8, ""},            // truncated
    {"/%80", path_error::invalid_utf8, ""},            // lone continuation
    {"relative", path_error::not_absolute, ""},
    {"", path_error::not_absolute, ""},
    {"/file.txt.", path_error::none, "/file.txt."},  // no trailing-dot aliasing
};

TEST(normalize_path, follows_the_table) {
  for (const path_case& c : cases) {
    std::string scratch;
    std::string_view out;
    path_error e = normalize_path(c.raw, scratch, out);
    EXPECT_EQ(static_cast<int>(e), static_cast<int>(c.error)) << c.raw;
    if (c.error == path_error::none) {
      EXPECT_EQ(out, c.normalized) << c.raw;
    }
  }
}

TEST(normalize_path, returns_the_input_itself_when_nothing_changes) {
  std::string scratch;
  std::string_view out;
  std::string_view raw = "/plain/path.html";
  ASSERT_EQ(normalize_path(raw, scratch, out), path_error::none);
  EXPECT_EQ(out.data(), raw.data());
}

TEST(append_query_as_uri, encodes_only_what_a_uri_may_not_hold) {
  const std::pair<std::string_view, std::string_view> queries[] = {
      {"a=1&b=%20c", "a=1&b=%20c"},
      {"p=/x?y:@!$'()*+,;=-._~", "p=/x?y:@!$'()*+,;=-._~"},
      {"a[]=1", "a[]=1"},
      {"tags=a|b", "tags=a%7Cb"},
      {"q={x}", "q=%7Bx%7D"},
      {"q=\"x\"", "q=%22x%22"},
      {"c=^`<>\\", "c=%5E%60%3C%3E%5C"},
      {"q=caf\xC3\xA9", "q=caf%C3%A9"},
      {"off=100%", "off=100%25"},
      {"q=%zz%4", "q=%25zz%254"},
      {"%41", "%41"},
      {"", ""},
  };
  for (const auto& [query, uri] : queries) {
    std::string out = "/x?";
    append_query_as_uri(out, query);
    EXPECT_EQ(out, "/x?" + std::string(uri)) << query;
  }
}

TEST(is_valid_utf8, accepts_every_length_and_rejects_overlongs) {
  EXPECT_TRUE(is_valid_utf8("abc"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9"));
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x8D\xB5"));
  EXPECT_FALSE(is_valid_utf8("\xC1\x81"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x82\x82\xAC"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

}  // namespace
}  // namespace teapot::http
