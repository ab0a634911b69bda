#include "http/transport_security.h"

#include <gtest/gtest.h>

namespace teapot::http {
namespace {

using namespace std::chrono_literals;

struct location_case {
  const char* authority;
  std::uint16_t port;
  const char* target;
  const char* location;
};

// RFC 9110 §15.4.9: the same resource on https; the port only when it is not https's own.
const location_case location_cases[] = {
    {"example.com", 443, "/", "https://example.com/"},
    {"example.com", 8443, "/a/b?x=1&y", "https://example.com:8443/a/b?x=1&y"},
    {"example.com:80", 443, "/a", "https://example.com/a"},
    {"example.com:8080", 8443, "/a", "https://example.com:8443/a"},
    {"Example.COM", 443, "/Case", "https://Example.COM/Case"},
    {"[::1]:8080", 8443, "/v6", "https://[::1]:8443/v6"},
    {"[::1]", 443, "/", "https://[::1]/"},
    {"192.0.2.7:80", 443, "/ip", "https://192.0.2.7/ip"},
    // As received: neither decoded nor normalized.
    {"example.com", 443, "/a/../b/%2e%41?q=%20|", "https://example.com/a/../b/%2e%41?q=%20|"},
    {"example.com", 443, "/?", "https://example.com/?"},
    // absolute-form: the path and query after the authority.
    {"example.com", 443, "http://example.com/p?q", "https://example.com/p?q"},
    {"example.com:80", 8443, "http://example.com:80", "https://example.com:8443/"},
    {"example.com", 443, "http://example.com?q", "https://example.com/?q"},
};

TEST(https_location, is_the_same_target_on_the_https_port) {
  for (const location_case& c : location_cases)
    EXPECT_EQ(https_location(c.authority, c.port, c.target), c.location)
        << c.authority << " " << c.port << " " << c.target;
}

struct sts_case {
  std::chrono::seconds max_age;
  bool include_subdomains;
  bool preload;
  const char* value;
};

// RFC 6797 §6.1.
const sts_case sts_cases[] = {
    {31536000s, false, false, "max-age=31536000"},
    {31536000s, true, false, "max-age=31536000; includeSubDomains"},
    {63072000s, true, true, "max-age=63072000; includeSubDomains; preload"},
    {0s, false, false, "max-age=0"},  // §6.1.1: the browser forgets the host
    {300s, false, true, "max-age=300; preload"},
};

TEST(strict_transport_security, formats_max_age_and_the_directives_asked_for) {
  for (const sts_case& c : sts_cases)
    EXPECT_EQ(format_strict_transport_security(c.max_age, c.include_subdomains, c.preload),
              c.value);
}

}  // namespace
}  // namespace teapot::http
