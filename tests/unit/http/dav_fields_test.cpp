// The request fields of WebDAV (RFC 4918 §10.2, §10.3, §10.6, §10.7), as tables.
#include "http/dav_fields.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string_view>

namespace {

using std::chrono::seconds;
using teapot::http::depth;

struct depth_case {
  std::string_view value;
  std::optional<depth> expected;
};

const depth_case depth_cases[] = {
    {"0", depth::zero},
    {"1", depth::one},
    {"infinity", depth::infinity},
    {"Infinity", depth::infinity},
    {"INFINITY", depth::infinity},
    {" 1\t", depth::one},  // OWS around a field value is not part of it
    {"", std::nullopt},
    {"2", std::nullopt},
    {"01", std::nullopt},
    {"-1", std::nullopt},
    {"inf", std::nullopt},
    {"infinite", std::nullopt},
    {"0,1", std::nullopt},
    {"1 1", std::nullopt},
};

TEST(parse_depth, follows_the_table) {
  for (const depth_case& c : depth_cases)
    EXPECT_EQ(teapot::http::parse_depth(c.value), c.expected) << '"' << c.value << '"';
}

struct overwrite_case {
  std::string_view value;
  std::optional<bool> expected;
};

const overwrite_case overwrite_cases[] = {
    {"T", true},
    {"F", false},
    {"t", true},
    {"f", false},
    {" T ", true},
    {"", std::nullopt},
    {"TRUE", std::nullopt},
    {"yes", std::nullopt},
    {"1", std::nullopt},
    {"T,F", std::nullopt},
    {"TF", std::nullopt},
};

TEST(parse_overwrite, follows_the_table) {
  for (const overwrite_case& c : overwrite_cases)
    EXPECT_EQ(teapot::http::parse_overwrite(c.value), c.expected) << '"' << c.value << '"';
}

struct timeout_case {
  std::string_view why;
  std::string_view value;
  std::optional<seconds> expected;  // nullopt: Infinite
};

constexpr seconds absent{-7};  // a default no field could give

const timeout_case timeout_cases[] = {
    {"seconds", "Second-3600", seconds(3600)},
    {"zero seconds", "Second-0", seconds(0)},
    {"Infinite", "Infinite", std::nullopt},
    {"literals in any case", "second-10", seconds(10)},
    {"Infinite in any case", "INFINITE", std::nullopt},
    {"the first is taken (litmus's form)", "Infinite, Second-4100000000", std::nullopt},
    {"the first is taken, seconds first", "Second-5,Infinite", seconds(5)},
    {"the largest value", "Second-4294967295", seconds(4294967295)},
    {"past 2^32 - 1: clamped", "Second-4294967296", seconds(4294967295)},
    {"far past: clamped", "Second-99999999999999999999999999", seconds(4294967295)},
    {"leading zeros", "Second-007", seconds(7)},
    {"OWS and empty elements", " , Second-9 ,, ", seconds(9)},
    {"empty", "", absent},
    {"only commas", " , ,", absent},
    {"no digits", "Second-", absent},
    {"a sign", "Second--1", absent},
    {"a space inside", "Second- 1", absent},
    {"not a number", "Second-1a", absent},
    {"an unknown form", "Minute-3", absent},
    {"a bare number", "3600", absent},
    {"a malformed element after a good one", "Second-5, bogus", absent},
    {"a malformed element before a good one", "bogus, Second-5", absent},
};

TEST(parse_timeout, follows_the_table) {
  for (const timeout_case& c : timeout_cases)
    EXPECT_EQ(teapot::http::parse_timeout(c.value, absent), c.expected) << c.why;
}

struct uri_case {
  std::string_view why;
  std::string_view value;
  bool valid;
  std::string_view scheme;
  std::string_view authority;
  std::string_view path;
};

const uri_case uri_cases[] = {
    {"an absolute URI", "http://example.com/a/b", true, "http", "example.com", "/a/b"},
    {"port, query and fragment", "http://host:8080/path?query#frag", true, "http", "host:8080",
     "/path"},
    {"an IPv6 literal", "https://[::1]:8080/a", true, "https", "[::1]:8080", "/a"},
    {"the scheme in lower case, the authority as written", "HTTP://Example.COM/A", true, "http",
     "Example.COM", "/A"},
    {"no path is '/'", "http://h", true, "http", "h", "/"},
    {"no path, a query", "http://h?x", true, "http", "h", "/"},
    {"an empty port", "http://h:/a", true, "http", "h:", "/a"},
    {"a trailing slash kept", "http://h/c/", true, "http", "h", "/c/"},
    {"decoded", "http://h/a%20b", true, "http", "h", "/a b"},
    {"dot segments removed", "http://h/a/./b/../c", true, "http", "h", "/a/c"},
    {"an absolute path", "/a%20b/", true, "", "", "/a b/"},
    {"an absolute path with a query", "/a?x=1", true, "", "", "/a"},
    {"the root", "/", true, "", "", "/"},
    {"UTF-8, encoded", "/caf%C3%A9", true, "", "", "/caf\xC3\xA9"},
    {"a percent-encoded host", "http://a%2Db/x", true, "http", "a%2Db", "/x"},
    {"another scheme with an authority", "ftp://h/x", true, "ftp", "h", "/x"},

    {"empty", "", false, "", "", ""},
    {"a relative path", "a/b", false, "", "", ""},
    {"a dot path", "./a", false, "", "", ""},
    {"a network-path reference", "//h/a", false, "", "", ""},
    {"a URI without an authority", "urn:uuid:1", false, "", "", ""},
    {"a scheme and a path only", "http:/a", false, "", "", ""},
    {"an empty host", "http:///a", false, "", "", ""},
    {"an empty host with a port", "http://:80/a", false, "", "", ""},
    {"userinfo", "http://u@h/a", false, "", "", ""},
    {"a non-numeric port", "http://h:8o/a", false, "", "", ""},
    {"an unclosed IPv6 literal", "http://[::1/a", false, "", "", ""},
    {"an empty IPv6 literal", "http://[]/a", false, "", "", ""},
    {"bytes after an IPv6 literal", "http://[::1]x/a", false, "", "", ""},
    {"a bad IPv6 literal", "http://[::g]/a", false, "", "", ""},
    {"a bad percent-encoding in the host", "http://a%2/x", false, "", "", ""},
    {"a scheme starting with a digit", "1http://h/a", false, "", "", ""},
    {"an encoded slash", "/a%2Fb", false, "", "", ""},
    {"an encoded slash in a URI", "http://h/a%2fb", false, "", "", ""},
    {"an encoded backslash", "/a%5Cb", false, "", "", ""},
    {"above the root", "/../etc", false, "", "", ""},
    {"above the root, encoded", "http://h/%2e%2e/etc", false, "", "", ""},
    {"a bad percent-encoding", "/a%zz", false, "", "", ""},
    {"an encoded NUL", "/a%00", false, "", "", ""},
    {"invalid UTF-8", "/%c0%ae", false, "", "", ""},
    {"a space", "/a b", false, "", "", ""},
    {"a raw backslash", "/a\\b", false, "", "", ""},
    {"a raw byte >= 0x80", "/caf\xC3\xA9", false, "", "", ""},
    {"a control byte", "/a\x01", false, "", "", ""},
    {"two fragments", "/a#b#c", false, "", "", ""},
    {"a quote", "/a\"b", false, "", "", ""},
    {"a Coded-URL's brackets", "</a>", false, "", "", ""},
};

TEST(parse_uri_target, follows_the_table) {
  for (const uri_case& c : uri_cases) {
    const auto t = teapot::http::parse_uri_target(c.value);
    ASSERT_EQ(t.has_value(), c.valid) << c.why << ": " << c.value;
    if (!t) continue;
    EXPECT_EQ(t->scheme, c.scheme) << c.why;
    EXPECT_EQ(t->authority, c.authority) << c.why;
    EXPECT_EQ(t->path, c.path) << c.why;
  }
}

}  // namespace
