// What the access log reads of a request the parser refused: the request line's parts when it
// has their shape, and Host, Referer and User-Agent from the field lines that came whole.
#include "h1/rejected_head.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace teapot::h1 {
namespace {

using namespace std::literals;

struct rejected_case {
  std::string_view name;
  std::string raw;
  std::string_view request_line;
  std::string_view method;
  std::string_view target;
  std::string_view protocol;
  std::string_view host;
  std::string_view referer;
  std::string_view user_agent;
};

constexpr std::size_t line_limit = 64;
constexpr std::size_t field_bytes = 256;

TEST(read_rejected_head, reads_the_line_and_the_fields_the_log_names) {
  const rejected_case cases[] = {
      {"a control byte in the target",
       "GET /a\x01 HTTP/1.1\r\nHost: h.test\r\nReferer: http://r/\r\nUser-Agent: ua/1\r\n\r\n",
       "GET /a\x01 HTTP/1.1", "GET", "/a\x01", "HTTP/1.1", "h.test", "http://r/", "ua/1"},
      {"fields are case-insensitive and trimmed",
       "GET /a#b HTTP/1.1\r\nuser-agent: \t ua/2 \r\nHOST:h\r\n\r\n", "GET /a#b HTTP/1.1", "GET",
       "/a#b", "HTTP/1.1", "h", "", "ua/2"},
      {"the first field line of a name counts",
       "GET / HTTP/1.1\r\nUser-Agent: first\r\nUser-Agent: second\r\n\r\n", "GET / HTTP/1.1", "GET",
       "/", "HTTP/1.1", "", "", "first"},
      {"an empty first value still counts", "GET / HTTP/1.1\r\nReferer:\r\nReferer: x\r\n\r\n",
       "GET / HTTP/1.1", "GET", "/", "HTTP/1.1", "", "", ""},
      {"leading empty lines are skipped", "\r\n\r\nGET / HTTP/1.0\r\nHost: h\r\n\r\n",
       "GET / HTTP/1.0", "GET", "/", "HTTP/1.0", "h", "", ""},
      {"a space in the target leaves the method only",
       "GET /a b HTTP/1.1\r\nUser-Agent: ua\r\n\r\n", "GET /a b HTTP/1.1", "GET", "", "", "", "",
       "ua"},
      {"an unknown version shape leaves the method only", "GET / HTTP/1\r\nHost: h\r\n\r\n",
       "GET / HTTP/1", "GET", "", "", "h", "", ""},
      {"a method that is no token leaves the parts empty", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
       "G(T / HTTP/1.1", "", "", "", "h", "", ""},
      {"no space: no parts", "GARBAGE\r\nHost: h\r\n\r\n", "GARBAGE", "", "", "", "h", "", ""},
      {"a line cut short is not read", "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua",
       "GET / HTTP/1.1", "GET", "/", "HTTP/1.1", "h", "", ""},
      {"nothing after the empty line is read",
       "POST / HTTP/1.1\r\nHost: h\r\n\r\nUser-Agent: body\r\n", "POST / HTTP/1.1", "POST", "/",
       "HTTP/1.1", "h", "", ""},
      {"a value with a control byte is not read",
       "GET / HTTP/1.1\r\nUser-Agent: a\x01z\r\nReferer: r\r\n\r\n", "GET / HTTP/1.1", "GET", "/",
       "HTTP/1.1", "", "r", ""},
      {"a line without a colon or with a bad name is passed over",
       "GET / HTTP/1.1\r\nnonsense\r\nBad Name: x\r\nHost: h\r\n\r\n", "GET / HTTP/1.1", "GET", "/",
       "HTTP/1.1", "h", "", ""},
      {"obs-text in a value is kept", "GET / HTTP/1.1\r\nUser-Agent: caf\xc3\xa9\r\n\r\n",
       "GET / HTTP/1.1", "GET", "/", "HTTP/1.1", "", "", "caf\xc3\xa9"},
      {"bare line feeds end lines too", "GET / HTTP/1.1\nHost: h\nUser-Agent: ua\n\n",
       "GET / HTTP/1.1", "GET", "/", "HTTP/1.1", "h", "", "ua"},
      {"no bytes", "", "", "", "", "", "", "", ""},
      {"only empty lines", "\r\n\r\n", "", "", "", "", "", "", ""},
      {"a NUL in a value is not read", "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"s, "GET / HTTP/1.1",
       "GET", "/", "HTTP/1.1", "", "", ""},
  };
  for (const rejected_case& c : cases) {
    const rejected_head r = read_rejected_head(c.raw, line_limit, field_bytes);
    EXPECT_EQ(r.request_line, c.request_line) << c.name;
    EXPECT_EQ(r.method, c.method) << c.name;
    EXPECT_EQ(r.target, c.target) << c.name;
    EXPECT_EQ(r.protocol, c.protocol) << c.name;
    EXPECT_EQ(r.host, c.host) << c.name;
    EXPECT_EQ(r.referer, c.referer) << c.name;
    EXPECT_EQ(r.user_agent, c.user_agent) << c.name;
  }
}

TEST(read_rejected_head, cuts_a_request_line_past_the_limit_which_then_has_no_version) {
  const std::string raw = "GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  const rejected_head r = read_rejected_head(raw, line_limit, field_bytes);
  EXPECT_EQ(r.request_line, std::string_view(raw).substr(0, line_limit));
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "");
  EXPECT_EQ(r.host, "h");  // the fields still follow the whole line
}

TEST(read_rejected_head, reads_field_lines_only_within_the_bytes_given) {
  const std::string raw = "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\n\r\n";
  EXPECT_EQ(read_rejected_head(raw, line_limit, 9).host, "h");  // "Host: h\r\n"
  EXPECT_EQ(read_rejected_head(raw, line_limit, 9).user_agent, "");
  EXPECT_EQ(read_rejected_head(raw, line_limit, 8).host, "");  // its line end is past the bytes
}

TEST(request_line_of, skips_empty_lines_and_stops_at_the_line_end_or_the_limit) {
  EXPECT_EQ(request_line_of("\r\nGET / HTTP/1.1\r\n", 64), "GET / HTTP/1.1");
  EXPECT_EQ(request_line_of("GET / HTTP/1.1\rX", 64), "GET / HTTP/1.1");
  EXPECT_EQ(request_line_of("GET / HTTP/1.1", 5), "GET /");
  EXPECT_EQ(request_line_of("GET", 64), "GET");
}

}  // namespace
}  // namespace teapot::h1
