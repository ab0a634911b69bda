// The authority a forward proxy connects to: authority-form host:port (RFC 9112 §3.2.3), the
// authority of an http absolute-form target (RFC 9112 §3.2.2), and the list of ports.
#include "http/authority.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace teapot::http {
namespace {

struct host_port_case {
  std::string_view authority;
  bool valid;
  std::string_view host;
  std::uint16_t port;
};

const std::vector<host_port_case>& connect_cases() {
  static const std::vector<host_port_case> cases = {
      {"example.com:443", true, "example.com", 443},
      {"127.0.0.1:8080", true, "127.0.0.1", 8080},
      {"[::1]:443", true, "::1", 443},
      {"[2001:db8::7]:22", true, "2001:db8::7", 22},
      {"a:1", true, "a", 1},
      {"a:65535", true, "a", 65535},
      {"a:00443", true, "a", 443},
      {"a:65536", false, "", 0},
      {"a:0", false, "", 0},
      {"a:99999999999999999999", false, "", 0},
      {"example.com", false, "", 0},  // CONNECT needs the port
      {"example.com:", false, "", 0},
      {":443", false, "", 0},
      {"user@example.com:443", false, "", 0},
      {"[::1]", false, "", 0},
      {"[::1:443", false, "", 0},
      {"[]:443", false, "", 0},
      {"[::1]x:443", false, "", 0},
      {"a:44 3", false, "", 0},
      {"a:+443", false, "", 0},
      {"a:443:1", false, "", 0},
      {"ex ample:443", false, "", 0},
      {"", false, "", 0},
  };
  return cases;
}

TEST(parse_host_port, reads_the_authority_form_of_connect_with_its_port_required) {
  for (const host_port_case& c : connect_cases()) {
    SCOPED_TRACE(c.authority);
    const std::optional<host_port> got = parse_host_port(c.authority);
    ASSERT_EQ(got.has_value(), c.valid);
    if (!got) continue;
    EXPECT_EQ(got->host, c.host);
    EXPECT_EQ(got->port, c.port);
  }
}

TEST(parse_host_port, takes_the_default_port_when_the_authority_has_none) {
  EXPECT_EQ(parse_host_port("example.com", 80)->port, 80);
  EXPECT_EQ(parse_host_port("example.com:", 80)->port, 80);
  EXPECT_EQ(parse_host_port("[::1]", 80)->host, "::1");
  EXPECT_EQ(parse_host_port("example.com:8080", 80)->port, 8080);
  EXPECT_FALSE(parse_host_port("example.com:0", 80));
}

struct target_case {
  std::string_view target;
  bool valid;
  std::string_view authority;
  std::string_view host;
  std::uint16_t port;
  std::string_view rest;
};

TEST(parse_http_target, splits_an_http_absolute_form_target) {
  const std::vector<target_case> cases = {
      {"http://example.com/a/b?c=d", true, "example.com", "example.com", 80, "/a/b?c=d"},
      {"http://127.0.0.1:9000/", true, "127.0.0.1:9000", "127.0.0.1", 9000, "/"},
      {"HTTP://Example.com:81", true, "Example.com:81", "Example.com", 81, ""},
      {"http://example.com?q", true, "example.com", "example.com", 80, "?q"},
      {"http://[::1]:8080/x", true, "[::1]:8080", "::1", 8080, "/x"},
      {"https://example.com/", false, "", "", 0, ""},  // a tunnel's business: CONNECT
      {"ftp://example.com/", false, "", "", 0, ""},
      {"http://", false, "", "", 0, ""},
      {"http:///path", false, "", "", 0, ""},
      {"http://user@example.com/", false, "", "", 0, ""},
      {"http://example.com:0/", false, "", "", 0, ""},
      {"/origin/form", false, "", "", 0, ""},
  };
  for (const target_case& c : cases) {
    SCOPED_TRACE(c.target);
    const std::optional<http_target> got = parse_http_target(c.target);
    ASSERT_EQ(got.has_value(), c.valid);
    if (!got) continue;
    EXPECT_EQ(got->authority, c.authority);
    EXPECT_EQ(got->to.host, c.host);
    EXPECT_EQ(got->to.port, c.port);
    EXPECT_EQ(got->rest, c.rest);
  }
}

TEST(is_port_listed, finds_a_port_in_the_list_and_nothing_in_an_empty_one) {
  const std::array<std::uint16_t, 2> ports = {443, 8443};
  EXPECT_TRUE(is_port_listed(ports, 443));
  EXPECT_TRUE(is_port_listed(ports, 8443));
  EXPECT_FALSE(is_port_listed(ports, 80));
  EXPECT_FALSE(is_port_listed({}, 443));
}

}  // namespace
}  // namespace teapot::http
