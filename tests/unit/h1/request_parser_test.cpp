// The request-head parser against a table of requests. Every case is replayed whole, byte by
// byte, split in two at every boundary, and placed to end at a guard page.
#include "h1/request_parser.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "replay.h"

// g++ 12 warns about members left to their default initializers in designated initializers,
// which is exactly how the table below says "not checked".
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace teapot::h1 {
namespace {

using namespace std::literals;
using kind = parse_result::kind;

// What a parsed head must show; unset members are not checked.
struct want {
  std::string_view method;
  std::string_view target;
  int minor = -1;
  std::optional<body_framing> framing;
  std::optional<std::uint64_t> content_length;
  std::optional<bool> keep_alive;
  std::optional<bool> expect_continue;
  std::optional<bool> upgrade;
  std::optional<std::string_view> host;
  std::vector<std::pair<std::string_view, std::string_view>> fields;  // present, in this order
  std::size_t trailing = 0;  // bytes after the head (body, next request)
};

struct request_case {
  std::string name;
  std::string raw;
  std::optional<parse_error> error;  // unset: the head is accepted
  want expect;
  const parser_config* config = nullptr;
};

// Keeps GoogleTest from dumping the case's bytes when a test fails.
void PrintTo(const request_case& c, std::ostream* os) {
  *os << c.name;
}

const parser_config& default_config() {
  static const parser_config config;
  return config;
}

// Small limits, so that "at the limit" and "one past" are easy to write by hand.
const parser_config& small_config() {
  static const parser_config config = [] {
    parser_config c;
    c.limits.request_line = 32;
    c.limits.field_line = 24;
    c.limits.header_section = 128;
    c.limits.fields = 4;
    c.limits.body = 100;
    c.limits.chunk_line = 16;
    return c;
  }();
  return config;
}

request_case ok(std::string name, std::string raw, want w = {}) {
  return {std::move(name), std::move(raw), std::nullopt, std::move(w)};
}
request_case bad(std::string name, std::string raw, parse_error e) {
  return {std::move(name), std::move(raw), e, {}};
}
request_case with(const parser_config& config, request_case c) {
  c.config = &config;
  return c;
}

// A 1.1 GET with Host, then `fields` (each ending in CRLF), then the empty line.
std::string get(std::string_view fields, std::string_view target = "/") {
  return "GET "s.append(target).append(" HTTP/1.1\r\nHost: h\r\n").append(fields).append("\r\n");
}
std::string post(std::string_view fields) {
  return "POST / HTTP/1.1\r\nHost: h\r\n"s.append(fields).append("\r\n");
}

std::vector<request_case> request_line_cases();
std::vector<request_case> field_cases();
std::vector<request_case> host_cases();
std::vector<request_case> framing_cases();
std::vector<request_case> connection_cases();
std::vector<request_case> limit_cases();

std::vector<request_case> all_cases() {
  std::vector<request_case> all;
  for (auto* part : {request_line_cases, field_cases, host_cases, framing_cases, connection_cases,
                     limit_cases}) {
    auto cases = part();
    for (auto& c : cases)
      all.push_back(std::move(c));
  }
  return all;
}

std::vector<request_case> request_line_cases() {
  using e = parse_error;
  return {
      ok("simple get", get(""), {.method = "GET", .target = "/", .minor = 1, .host = "h"}),
      ok("http10 without host", "GET /a HTTP/1.0\r\n\r\n",
         {.minor = 0, .keep_alive = false, .host = ""}),
      ok("higher minor is 1.1", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", {.minor = 1}),
      ok("minor nine is 1.1", "GET / HTTP/1.9\r\nHost: h\r\n\r\n", {.minor = 1}),
      ok("one leading empty line", "\r\n" + get(""), {.method = "GET"}),
      ok("three leading empty lines", "\r\n\r\n\r\n" + get(""), {.target = "/"}),
      ok("query", get("", "/a/b?c=d&e=%20"), {.target = "/a/b?c=d&e=%20"}),
      ok("pct encoded path", get("", "/%7Euser/%2e"), {.target = "/%7Euser/%2e"}),
      ok("sub-delims colon at in path", get("", "/a;b=c,d!$&'()*+:@x"),
         {.target = "/a;b=c,d!$&'()*+:@x"}),
      ok("double slash origin", get("", "//x"), {.target = "//x"}),
      ok("query with slash and question", get("", "/?a/b?c"), {.target = "/?a/b?c"}),
      ok("absolute form", get("", "http://example.com/x?y"), {.target = "http://example.com/x?y"}),
      ok("absolute form https port", get("", "https://example.com:8443/"),
         {.target = "https://example.com:8443/"}),
      ok("absolute form ipv6", get("", "http://[::1]:8080/"), {.target = "http://[::1]:8080/"}),
      // Bytes RFC 3986 leaves out but browsers and curl send as typed, taken as nginx and
      // Apache take them (docs/parser-deviations.md).
      ok("pipe in query", get("", "/?tags=a|b"), {.target = "/?tags=a|b"}),
      ok("braces in query", get("", "/?q={x}"), {.target = "/?q={x}"}),
      ok("caret in path", get("", "/a^b"), {.target = "/a^b"}),
      ok("double quotes in query", get("", "/?q=\"x\""), {.target = "/?q=\"x\""}),
      ok("backtick and angle brackets", get("", "/`<x>`"), {.target = "/`<x>`"}),
      ok("backslash in query", get("", "/?a\\b"), {.target = "/?a\\b"}),
      ok("pipe and braces in path", get("", "/{a}|b"), {.target = "/{a}|b"}),
      ok("raw utf-8 in path", get("", "/caf\xc3\xa9"), {.target = "/caf\xc3\xa9"}),
      ok("any high byte in query", get("", "/?\xff\x80"), {.target = "/?\xff\x80"}),
      ok("stray percent in query", get("", "/?q=100%"), {.target = "/?q=100%"}),
      ok("percent and non-hex in query", get("", "/?q=%zz%"), {.target = "/?q=%zz%"}),
      ok("pipe in absolute form path", get("", "http://h/a|b?c={d}"),
         {.target = "http://h/a|b?c={d}"}),
      ok("options asterisk", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
         {.method = "OPTIONS", .target = "*"}),
      ok("options origin", "OPTIONS /x HTTP/1.1\r\nHost: h\r\n\r\n", {.target = "/x"}),
      ok("connect authority", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
         {.method = "CONNECT", .target = "example.com:443"}),
      ok("connect ipv6", "CONNECT [::1]:443 HTTP/1.1\r\nHost: h\r\n\r\n", {.target = "[::1]:443"}),
      ok("head", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", {.method = "HEAD"}),
      ok("delete", "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n", {.method = "DELETE"}),
      ok("trace", "TRACE / HTTP/1.1\r\nHost: h\r\n\r\n", {.method = "TRACE"}),
      ok("patch with length", "PATCH / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab",
         {.method = "PATCH", .content_length = 2, .trailing = 2}),
      ok("pipelined second request left", get("") + get(""), {.trailing = 27}),
      bad("double space after method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_request_line),
      bad("double space after target", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("tab separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_request_line),
      bad("form feed separator", "GET\f/ HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_method),
      bad("vertical tab separator", "GET\v/ HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_method),
      bad("leading space", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_request_line),
      bad("space before crlf", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", e::bad_version),
      bad("method not token", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_method),
      bad("method with slash", "G/ET / HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_method),
      bad("lowercase method", "get / HTTP/1.1\r\nHost: h\r\n\r\n", e::unknown_method),
      bad("unknown method", "FOO / HTTP/1.1\r\nHost: h\r\n\r\n", e::unknown_method),
      bad("webdav method not configured", "PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n",
          e::unknown_method),
      bad("missing target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("empty line only method", "GET\r\n\r\n", e::bad_request_line),
      bad("http09 request line", "GET /\r\n\r\n", e::bad_version),
      bad("http09 empty target", "GET \r\n\r\n", e::bad_request_line),
      bad("ctl in target", "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("del in target", "GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("nul in target", "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n"s, e::bad_target),
      bad("fragment in target", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("fragment in query", "GET /a?b#c HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("tab in target", "GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("del in query", "GET /?a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("escape in query", "GET /?a\x1b[2J HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("cr ends a target as a line without version", "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n",
          e::bad_version),
      bad("bad percent", "GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("percent percent", "GET /%%32%65 HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("truncated percent", "GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("percent cut by the query", "GET /a%2?x HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("relative target", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("asterisk with get", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target_form),
      bad("asterisk path with options", "OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("authority form with get", "GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target_form),
      bad("connect origin form", "CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target_form),
      bad("connect without port", "CONNECT h HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target_form),
      bad("absolute form without authority", "GET http:/// HTTP/1.1\r\nHost: h\r\n\r\n",
          e::bad_target),
      bad("backslash in an absolute form's authority",
          "GET http://a\\@b/ HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("brace in an absolute form's authority", "GET http://{a}/ HTTP/1.1\r\nHost: h\r\n\r\n",
          e::bad_target),
      bad("high byte in an absolute form's authority",
          "GET http://caf\xc3\xa9/ HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_target),
      bad("brace in an authority form", "CONNECT {a}:443 HTTP/1.1\r\nHost: h\r\n\r\n",
          e::bad_target_form),
      bad("lowercase http name", "GET / http/1.1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("two digit minor", "GET / HTTP/1.11\r\nHost: h\r\n\r\n", e::bad_version),
      bad("two digit major", "GET / HTTP/11.1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("version without minor", "GET / HTTP/1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("version comma", "GET / HTTP/1,1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("version letter", "GET / HTTP/A.1\r\nHost: h\r\n\r\n", e::bad_version),
      bad("other protocol", "GET / RTSP/1.0\r\nHost: h\r\n\r\n", e::bad_version),
      bad("http2 version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", e::unsupported_version),
      bad("http3 version", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", e::unsupported_version),
      bad("http0 version", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", e::unsupported_version),
      bad("http2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", e::unsupported_version),
      bad("bare lf after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", e::bare_line_feed),
      bad("cr without lf after request line", "GET / HTTP/1.1\rHost: h\r\n\r\n", e::bare_line_feed),
      bad("bare lf leading line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", e::bare_line_feed),
      bad("bare cr leading line", "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", e::bare_line_feed),
      bad("leading garbage byte", "\x01GET / HTTP/1.1\r\nHost: h\r\n\r\n", e::bad_request_line),
  };
}

std::vector<request_case> field_cases() {
  using e = parse_error;
  return {
      ok("fields in order", get("A: 1\r\nB: 2\r\n"), {.fields = {{"Host", "h"}, {"A", "1"}}}),
      ok("value ows trimmed", get("X:  \t v \t \r\n"), {.fields = {{"X", "v"}}}),
      ok("value without ows", get("X:v\r\n"), {.fields = {{"X", "v"}}}),
      ok("inner whitespace kept", get("X: a \t b\r\n"), {.fields = {{"X", "a \t b"}}}),
      ok("empty value", get("X-Empty:\r\n"), {.fields = {{"X-Empty", ""}}}),
      ok("only ows value", get("X-Empty:   \r\n"), {.fields = {{"X-Empty", ""}}}),
      ok("obs text value", get("X-Name: caf\xc3\xa9\r\n"), {.fields = {{"X-Name", "caf\xc3\xa9"}}}),
      ok("byte ff in value", get("X: \xff\x80\r\n"), {.fields = {{"X", "\xff\x80"}}}),
      ok("every tchar in name", get("!#$%&'*+-.^_`|~09az: x\r\n"),
         {.fields = {{"!#$%&'*+-.^_`|~09az", "x"}}}),
      ok("name case kept", "GET / HTTP/1.1\r\nhOsT: h\r\n\r\n", {.host = "h"}),
      ok("quotes and commas in value", get("X: \"a, b\"; c=d\r\n"),
         {.fields = {{"X", "\"a, b\"; c=d"}}}),
      ok("colon in value", get("X: a:b::\r\n"), {.fields = {{"X", "a:b::"}}}),
      bad("space before colon", get("X : v\r\n"), e::whitespace_before_colon),
      bad("tab before colon", get("X\t: v\r\n"), e::whitespace_before_colon),
      bad("obs fold", get("X: a\r\n b\r\n"), e::obs_fold),
      bad("obs fold with tab", get("X: a\r\n\tb\r\n"), e::obs_fold),
      bad("whitespace before first field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", e::obs_fold),
      bad("empty name", get(": x\r\n"), e::bad_field_name),
      bad("no colon", get("Foo\r\n"), e::missing_colon),
      bad("ctl in name", get("F\x01o: x\r\n"), e::bad_field_name),
      bad("non ascii name", get("F\xc3\xb6o: x\r\n"), e::bad_field_name),
      bad("paren in name", get("F(o: x\r\n"), e::bad_field_name),
      bad("slash in name", get("F/o: x\r\n"), e::bad_field_name),
      bad("nul in value", get("X: a\0b\r\n"s), e::bad_field_value),
      bad("bare cr in value", get("X: a\rb\r\n"), e::bare_line_feed),
      bad("bare lf in value", get("X: a\nY: b\r\n"), e::bare_line_feed),
      bad("bare lf after value", "GET / HTTP/1.1\r\nHost: h\n\r\n", e::bare_line_feed),
      bad("bare lf as final line", "GET / HTTP/1.1\r\nHost: h\r\n\n", e::bare_line_feed),
      bad("cr without lf as final line", "GET / HTTP/1.1\r\nHost: h\r\n\rX", e::bare_line_feed),
      bad("esc in value", get("User-Agent: \x1b]0;x\x07\r\n"), e::bad_field_value),
      bad("bel in value", get("X: a\x07\r\n"), e::bad_field_value),
      bad("del in value", get("X: a\x7f\r\n"), e::bad_field_value),
      bad("form feed in value", get("X:\fv\r\n"), e::bad_field_value),
      bad("vertical tab in value", get("X: a\vb\r\n"), e::bad_field_value),
      bad("nul as first value byte", get("X: \0\r\n"s), e::bad_field_value),
  };
}

std::vector<request_case> host_cases() {
  using e = parse_error;
  auto host = [](std::string_view value) {
    return "GET / HTTP/1.1\r\nHost: "s.append(value).append("\r\n\r\n");
  };
  return {
      ok("host with port", host("example.com:8080"), {.host = "example.com:8080"}),
      ok("host ipv4", host("127.0.0.1"), {.host = "127.0.0.1"}),
      ok("host ipv6 with port", host("[::1]:80"), {.host = "[::1]:80"}),
      ok("host empty", host(""), {.host = ""}),
      ok("host empty port", host("h:"), {.host = "h:"}),
      ok("host pct encoded", host("a%41b"), {.host = "a%41b"}),
      ok("http10 with host", "GET / HTTP/1.0\r\nHost: h\r\n\r\n", {.host = "h"}),
      bad("host missing", "GET / HTTP/1.1\r\nX: y\r\n\r\n", e::missing_host),
      bad("host missing no fields", "GET / HTTP/1.1\r\n\r\n", e::missing_host),
      bad("host duplicate", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", e::duplicate_host),
      bad("host duplicate differ", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
          e::duplicate_host),
      bad("host userinfo", host("user@h"), e::bad_host),
      bad("host bad port", host("h:80x"), e::bad_host),
      bad("host two ports", host("h:80:90"), e::bad_host),
      bad("host only port", host(":80"), e::bad_host),
      bad("host unclosed ipv6", host("[::1"), e::bad_host),
      bad("host inner space", host("a b"), e::bad_host),
      bad("host with path", host("h/x"), e::bad_host),
      bad("host bad pct", host("a%zz"), e::bad_host),
      bad("host duplicate http10", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
          e::duplicate_host),
  };
}

std::vector<request_case> framing_cases() {
  using e = parse_error;
  const auto chunked = body_framing::chunked;
  const auto length = body_framing::content_length;
  return {
      ok("content length", post("Content-Length: 5\r\n") + "hello",
         {.framing = length, .content_length = 5, .trailing = 5}),
      ok("content length zero", post("Content-Length: 0\r\n"), {.content_length = 0}),
      ok("content length leading zeros", post("Content-Length: 003\r\n") + "abc",
         {.content_length = 3, .trailing = 3}),
      ok("content length trailing ows", post("Content-Length: 5 \r\n"), {.content_length = 5}),
      ok("content length on get", get("Content-Length: 4\r\n") + "GET ",
         {.framing = length, .trailing = 4}),
      ok("content length at body limit", post("Content-Length: 1048576\r\n"),
         {.content_length = 1048576}),
      ok("get without framing", get(""), {.framing = body_framing::none}),
      ok("chunked", post("Transfer-Encoding: chunked\r\n") + "0\r\n\r\n",
         {.framing = chunked, .trailing = 5}),
      ok("chunked uppercase", post("Transfer-Encoding: CHUNKED\r\n"), {.framing = chunked}),
      ok("chunked with ows", post("Transfer-Encoding:  chunked \r\n"), {.framing = chunked}),
      ok("chunked put", "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
         {.method = "PUT", .framing = chunked}),
      ok("expect continue", post("Content-Length: 1\r\nExpect: 100-continue\r\n"),
         {.expect_continue = true}),
      ok("expect continue any case", post("Content-Length: 1\r\nExpect: 100-Continue\r\n"),
         {.expect_continue = true}),
      ok("expect continue ignored in http10",
         "POST / HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n",
         {.expect_continue = false}),
      ok("no expect", post("Content-Length: 1\r\n"), {.expect_continue = false}),
      bad("content length plus", post("Content-Length: +5\r\n"), e::bad_content_length),
      bad("content length negative", post("Content-Length: -1\r\n"), e::bad_content_length),
      bad("content length hex", post("Content-Length: 0x5\r\n"), e::bad_content_length),
      bad("content length inner space", post("Content-Length: 1 0\r\n"), e::bad_content_length),
      bad("content length list same", post("Content-Length: 5, 5\r\n"), e::bad_content_length),
      bad("content length list differ", post("Content-Length: 5,6\r\n"), e::bad_content_length),
      bad("content length duplicate same", post("Content-Length: 5\r\nContent-Length: 5\r\n"),
          e::bad_content_length),
      bad("content length duplicate differ", post("Content-Length: 5\r\nContent-Length: 6\r\n"),
          e::bad_content_length),
      bad("content length empty", post("Content-Length:\r\n"), e::bad_content_length),
      bad("content length letter", post("Content-Length: 5a\r\n"), e::bad_content_length),
      bad("content length overflow then letter",
          post("Content-Length: 99999999999999999999999x\r\n"), e::bad_content_length),
      bad("content length overflow", post("Content-Length: 99999999999999999999999999\r\n"),
          e::content_too_large),
      bad("content length u64 max plus one", post("Content-Length: 18446744073709551616\r\n"),
          e::content_too_large),
      bad("content length over body limit", post("Content-Length: 1048577\r\n"),
          e::content_too_large),
      bad("content length too large with expect",
          post("Content-Length: 2097152\r\nExpect: 100-continue\r\n"), e::content_too_large),
      bad("cl then te", post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n"),
          e::content_length_with_transfer_encoding),
      bad("te then cl", post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
          e::content_length_with_transfer_encoding),
      bad("te trailing comma with cl", post("Transfer-Encoding: chunked,\r\nContent-Length: 5\r\n"),
          e::content_length_with_transfer_encoding),
      bad("te in http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
          e::transfer_encoding_in_http10),
      bad("chunked not last", post("Transfer-Encoding: chunked, gzip\r\n"), e::chunked_not_last),
      bad("gzip only", post("Transfer-Encoding: gzip\r\n"), e::chunked_not_last),
      bad("identity only", post("Transfer-Encoding: identity\r\n"), e::chunked_not_last),
      bad("chunked not last across lines",
          post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"), e::chunked_not_last),
      bad("gzip before chunked", post("Transfer-Encoding: gzip, chunked\r\n"),
          e::unknown_transfer_coding),
      bad("gzip before chunked across lines",
          post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
          e::unknown_transfer_coding),
      bad("unknown coding before chunked", post("Transfer-Encoding: x-foo, chunked\r\n"),
          e::unknown_transfer_coding),
      bad("chunked twice", post("Transfer-Encoding: chunked, chunked\r\n"),
          e::bad_transfer_encoding),
      bad("chunked twice across lines",
          post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
          e::bad_transfer_encoding),
      bad("te quoted", post("Transfer-Encoding: \"chunked\"\r\n"), e::bad_transfer_encoding),
      bad("te trailing comma", post("Transfer-Encoding: chunked,\r\n"), e::bad_transfer_encoding),
      bad("te leading comma", post("Transfer-Encoding: , chunked\r\n"), e::bad_transfer_encoding),
      bad("te empty", post("Transfer-Encoding:\r\n"), e::bad_transfer_encoding),
      bad("te with parameter", post("Transfer-Encoding: chunked;q=1\r\n"),
          e::bad_transfer_encoding),
      bad("te form feed", post("Transfer-Encoding:\fchunked\r\n"), e::bad_field_value),
      bad("te nul", post("Transfer-Encoding: chunked\0\r\n"s), e::bad_field_value),
      bad("te space before colon", post("Transfer-Encoding : chunked\r\n"),
          e::whitespace_before_colon),
      bad("post without length", post(""), e::length_required),
      bad("put without length", "PUT /x HTTP/1.1\r\nHost: h\r\n\r\n", e::length_required),
      bad("post http10 without length", "POST / HTTP/1.0\r\n\r\n", e::length_required),
      bad("expect other", get("Expect: 200-ok\r\n"), e::unsupported_expectation),
      bad("expect continue and other", post("Content-Length: 1\r\nExpect: 100-continue, x\r\n"),
          e::unsupported_expectation),
      bad("expect continue with parameter", get("Expect: 100-continue;a=b\r\n"),
          e::unsupported_expectation),
  };
}

std::vector<request_case> connection_cases() {
  return {
      ok("http11 keeps alive", get(""), {.keep_alive = true}),
      ok("http11 close", get("Connection: close\r\n"), {.keep_alive = false}),
      ok("http11 close any case", get("Connection: Close\r\n"), {.keep_alive = false}),
      ok("http11 close in list", get("Connection: foo, close\r\n"), {.keep_alive = false}),
      ok("http11 close wins", get("Connection: keep-alive, close\r\n"), {.keep_alive = false}),
      ok("http10 closes", "GET / HTTP/1.0\r\n\r\n", {.keep_alive = false}),
      ok("http10 keep alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
         {.keep_alive = true}),
      ok("upgrade", get("Connection: Upgrade\r\nUpgrade: websocket\r\n"), {.upgrade = true}),
      ok("upgrade in list", get("Connection: keep-alive, upgrade\r\nUpgrade: h2c\r\n"),
         {.keep_alive = true, .upgrade = true}),
      ok("upgrade token without field", get("Connection: upgrade\r\n"), {.upgrade = false}),
      ok("upgrade field without token", get("Upgrade: websocket\r\n"), {.upgrade = false}),
  };
}

std::vector<request_case> limit_cases() {
  using e = parse_error;
  const parser_config& s = small_config();
  std::vector<request_case> cases;
  // Default limits, the ones the attack corpus assumes.
  auto line_of = [](std::size_t n) {  // a request line of exactly n bytes
    return "GET /" + std::string(n - 14, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  };
  cases.push_back(ok("request line at limit", line_of(8192)));
  cases.push_back(bad("request line past limit", line_of(8193), e::request_line_too_long));
  cases.push_back(bad("request line past limit without crlf", "GET /" + std::string(9000, 'a'),
                      e::request_line_too_long));
  auto field_of = [](std::size_t n) {  // a field line of exactly n bytes
    return get("X: " + std::string(n - 3, 'b') + "\r\n");
  };
  cases.push_back(ok("field line at limit", field_of(8192)));
  cases.push_back(bad("field line past limit", field_of(8193), e::field_line_too_long));
  auto fields_of = [](std::size_t n) {  // n field lines in all, Host included
    std::string f;
    for (std::size_t i = 1; i < n; ++i)
      f += "a:\r\n";
    return get(f);
  };
  cases.push_back(ok("fields at limit", fields_of(100)));
  cases.push_back(bad("fields past limit", fields_of(101), e::too_many_fields));
  cases.push_back(bad("many tiny fields", fields_of(5000), e::too_many_fields));
  // A header section (field lines with their CRLFs, RFC 9112 §2.1) of exactly n bytes: Host
  // and padding field lines; the request line and the final empty line are not part of it.
  auto head_of = [](std::size_t n) {
    std::string section = "Host: h\r\n";
    std::size_t left = n - section.size();
    while (left > 8008) {
      section += "Y:" + std::string(8000, 'c') + "\r\n";
      left -= 8004;
    }
    section += "Y:" + std::string(left - 4, 'c') + "\r\n";
    return "GET / HTTP/1.1\r\n" + section + "\r\n";
  };
  cases.push_back(ok("header section at limit", head_of(65536)));
  cases.push_back(bad("header section past limit", head_of(65537), e::header_section_too_large));
  // Small configured limits: request line 32, field line 24, section 128, 4 fields, body 100.
  cases.push_back(with(s, ok("small request line at limit",
                             "GET /" + std::string(18, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n")));
  cases.push_back(with(s, bad("small request line past limit",
                              "GET /" + std::string(19, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n",
                              e::request_line_too_long)));
  cases.push_back(with(s, bad("small request line stops early", "GET /" + std::string(28, 'a'),
                              e::request_line_too_long)));
  cases.push_back(with(s, ok("small field at limit", get("X: " + std::string(21, 'v') + "\r\n"))));
  cases.push_back(with(s, bad("small field past limit", get("X: " + std::string(22, 'v') + "\r\n"),
                              e::field_line_too_long)));
  cases.push_back(with(s, bad("small long name past limit", get(std::string(25, 'N') + ": v\r\n"),
                              e::field_line_too_long)));
  cases.push_back(with(s, ok("small fields at limit", get("a:\r\nb:\r\nc:\r\n"))));
  cases.push_back(
      with(s, bad("small fields past limit", get("a:\r\nb:\r\nc:\r\nd:\r\n"), e::too_many_fields)));
  // Section limit 64 with the default field limits: "Host: h" (9 bytes with its CRLF) and
  // one field line of 55; the request line and the final CRLF do not count.
  static const parser_config section = [] {
    parser_config c;
    c.limits.header_section = 64;
    return c;
  }();
  const std::string start = "GET / HTTP/1.1\r\nHost: h\r\n";
  cases.push_back(with(
      section, ok("small section at limit", start + "P:" + std::string(51, 'p') + "\r\n\r\n")));
  cases.push_back(with(
      section, bad("small section past limit", start + "P:" + std::string(52, 'p') + "\r\n\r\n",
                   e::header_section_too_large)));
  cases.push_back(with(section, bad("small section past limit with one more field",
                                    start + "P:" + std::string(51, 'p') + "\r\nQ:\r\n\r\n",
                                    e::header_section_too_large)));
  cases.push_back(with(section, ok("a long request line does not count against the section",
                                   "GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n" +
                                       "P:" + std::string(51, 'p') + "\r\n\r\n")));
  cases.push_back(with(s, ok("small body at limit", post("Content-Length: 100\r\n"))));
  cases.push_back(
      with(s, bad("small body past limit", post("Content-Length: 101\r\n"), e::content_too_large)));
  cases.push_back(
      bad("cr cr before request line", std::string(9000, '\r') + "x", e::bare_line_feed));
  std::string crlfs;
  for (int i = 0; i < 4200; ++i)
    crlfs += "\r\n";
  cases.push_back(bad("endless leading empty lines", crlfs, e::bad_request_line));
  return cases;
}

const parser_config& config_of(const request_case& c) {
  return c.config != nullptr ? *c.config : default_config();
}

std::string describe_result(const parse_result& r) {
  switch (r.outcome) {
    case kind::need_more:
      return "need_more";
    case kind::done:
      return "done(" + std::to_string(r.consumed) + ")";
    case kind::error:
      return "error(" + std::string(describe(r.error)) + ")";
  }
  return "?";
}

// The final result must be exactly the expected one.
void check_final(const request_case& c, const request_parser& p, const parse_result& r) {
  if (c.error) {
    ASSERT_EQ(r.outcome, kind::error) << describe_result(r);
    EXPECT_EQ(r.error, *c.error) << describe(r.error) << " instead of " << describe(*c.error);
    return;
  }
  ASSERT_EQ(r.outcome, kind::done) << describe_result(r);
  EXPECT_EQ(r.consumed, c.raw.size() - c.expect.trailing);
  const request_head& h = p.head();
  const want& w = c.expect;
  if (!w.method.empty()) {
    EXPECT_EQ(h.method, w.method);
  }
  if (!w.target.empty()) {
    EXPECT_EQ(h.target, w.target);
  }
  if (w.minor >= 0) {
    EXPECT_EQ(h.version_minor, w.minor);
  }
  if (w.framing) {
    EXPECT_EQ(h.framing, *w.framing);
  }
  if (w.content_length) {
    EXPECT_EQ(h.content_length, *w.content_length);
  }
  if (w.keep_alive) {
    EXPECT_EQ(h.keep_alive, *w.keep_alive);
  }
  if (w.expect_continue) {
    EXPECT_EQ(h.expect_continue, *w.expect_continue);
  }
  if (w.upgrade) {
    EXPECT_EQ(h.upgrade, *w.upgrade);
  }
  if (w.host) {
    EXPECT_EQ(h.host, *w.host);
  }
  std::size_t at = 0;
  for (const auto& [name, value] : w.fields) {
    while (at < h.fields.size() && h.fields[at].name != name)
      ++at;
    ASSERT_LT(at, h.fields.size()) << "field " << name << " missing";
    EXPECT_EQ(h.fields[at].value, value) << "field " << name;
  }
}

// A prefix may only ask for more, or already give the final answer.
bool prefix_ok(const request_case& c, const parse_result& r) {
  if (r.outcome == kind::need_more) return true;
  if (c.error) return r.outcome == kind::error && r.error == *c.error;
  return r.outcome == kind::done && r.consumed == c.raw.size() - c.expect.trailing;
}

class request_parser_table : public ::testing::TestWithParam<request_case> {};

TEST_P(request_parser_table, whole_input_at_guard_page) {
  const request_case& c = GetParam();
  test::guarded_buffer buffer(c.raw.size());
  request_parser p(config_of(c));
  check_final(c, p, p.parse(buffer.place(c.raw)));
}

// Every byte boundary at once: the buffer grows by one byte per call.
TEST_P(request_parser_table, one_byte_at_a_time) {
  const request_case& c = GetParam();
  request_parser p(config_of(c));
  const bool small = c.raw.size() <= 2048;
  test::guarded_buffer buffer(c.raw.size());
  parse_result r;
  for (std::size_t k = 1; k <= c.raw.size(); ++k) {
    // Small inputs move to a new place ending at the guard page on every call.
    const std::string_view in = small ? buffer.place(std::string_view(c.raw).substr(0, k))
                                      : std::string_view(c.raw).substr(0, k);
    r = p.parse(in);
    if (k < c.raw.size()) {
      ASSERT_TRUE(prefix_ok(c, r)) << "after " << k << " bytes: " << describe_result(r);
    }
    if (r.outcome != kind::need_more) break;
  }
  check_final(c, p, r);
}

// Two calls: a prefix, then everything (as with Boost.Beast's parsegrind). Large inputs are
// split at every 61st boundary and near both ends to keep the run short.
TEST_P(request_parser_table, split_in_two_at_every_boundary) {
  const request_case& c = GetParam();
  const std::size_t n = c.raw.size();
  for (std::size_t k = 1; k < n; ++k) {
    if (n > 4096 && k > 64 && k + 64 < n && k % 61 != 0) continue;
    request_parser p(config_of(c));
    const parse_result first = p.parse(std::string_view(c.raw).substr(0, k));
    ASSERT_TRUE(prefix_ok(c, first)) << "split at " << k << ": " << describe_result(first);
    check_final(c, p, p.parse(c.raw));
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "split at " << k;
      return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(cases, request_parser_table, ::testing::ValuesIn(all_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

TEST(request_parser, case_table_has_at_least_150_cases) {
  EXPECT_GE(all_cases().size(), 150u);
}

TEST(request_parser, reset_parses_the_next_pipelined_request) {
  const std::string two = get("", "/one") + get("", "/two");
  request_parser p(default_config());
  const parse_result first = p.parse(two);
  ASSERT_EQ(first.outcome, kind::done);
  EXPECT_EQ(p.head().target, "/one");
  p.reset();
  const parse_result second = p.parse(std::string_view(two).substr(first.consumed));
  ASSERT_EQ(second.outcome, kind::done);
  EXPECT_EQ(p.head().target, "/two");
  EXPECT_EQ(first.consumed + second.consumed, two.size());
}

TEST(request_parser, an_error_is_sticky_until_reset) {
  request_parser p(default_config());
  EXPECT_EQ(p.parse("GET  / HTTP/1.1\r\n").error, parse_error::bad_request_line);
  const parse_result again = p.parse("GET  / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(again.outcome, kind::error);
  p.reset();
  EXPECT_EQ(p.parse(get("")).outcome, kind::done);
}

TEST(request_parser, configured_methods_are_honoured) {
  parser_config config;
  config.methods.push_back("PROPFIND");
  request_parser p(config);
  EXPECT_EQ(p.parse("PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n").outcome, kind::done);
}

TEST(request_parser, field_storage_does_not_grow) {
  request_parser p(default_config());
  std::string f;
  for (int i = 1; i < 100; ++i)
    f += "a:\r\n";
  ASSERT_EQ(p.parse(get(f)).outcome, kind::done);
  const header_field* before = p.head().fields.data();
  p.reset();
  ASSERT_EQ(p.parse(get(f)).outcome, kind::done);
  EXPECT_EQ(p.head().fields.data(), before);
  EXPECT_EQ(p.head().fields.size(), 100u);
}

}  // namespace
}  // namespace teapot::h1
