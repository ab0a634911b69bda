#include "tls/host_names.h"

#include <gtest/gtest.h>

namespace teapot::tls {
namespace {

struct cover_case {
  const char* name;  // as a certificate holds it
  const char* host;  // as SNI or Host gives it
  bool covered;
};

// RFC 6125 §6.4.1 (exact, case-insensitive), §6.4.3 (a wildcard is one whole left-most label).
const cover_case cover_cases[] = {
    {"example.com", "example.com", true},
    {"example.com", "EXAMPLE.com", true},
    {"example.com", "example.com.", true},  // the root's dot of a fully qualified name
    {"example.com", "www.example.com", false},
    {"example.com", "example.org", false},
    {"example.com", "", false},
    {"*.example.com", "a.example.com", true},
    {"*.example.com", "A.Example.COM", true},
    {"*.example.com", "a.example.com.", true},
    {"*.example.com", "example.com", false},      // the wildcard stands for one label, not none
    {"*.example.com", "a.b.example.com", false},  // nor for two
    {"*.example.com", ".example.com", false},     // nor for an empty one
    {"*.example.com", "aexample.com", false},
    {"*.example.com", "a.example.org", false},
    {"*.com", "example.com", false},               // a wildcard over a single label covers nothing
    {"w*.example.com", "www.example.com", false},  // partial labels are not wildcards here
    {"*.*.example.com", "a.b.example.com", false},
    {"*.0.2.1", "192.0.2.1", false},  // an IP address is matched exactly
    {"192.0.2.1", "192.0.2.1", true},
    {"192.0.2.1", "192.0.2.10", false},
    {"::1", "[::1]", true},  // a Host's IPv6 literal comes in brackets
    {"::1", "::1", true},
    {"2001:db8::1", "[2001:DB8::1]", true},
};

TEST(host_names, a_certificate_name_covers_the_hosts_rfc_6125_says) {
  for (const cover_case& c : cover_cases)
    EXPECT_EQ(name_covers(c.name, c.host), c.covered) << c.name << " / " << c.host;
}

TEST(host_names, normalizing_lowercases_and_drops_brackets_and_the_trailing_dot) {
  const std::pair<const char*, const char*> cases[] = {
      {"Example.COM", "example.com"},
      {"example.com.", "example.com"},
      {"[::1]", "::1"},
      {"[2001:DB8::A]", "2001:db8::a"},
      {"", ""},
  };
  for (const auto& [in, out] : cases)
    EXPECT_EQ(normalize_host(in), out) << in;
}

}  // namespace
}  // namespace teapot::tls
