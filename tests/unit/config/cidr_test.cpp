#include "config/cidr.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace teapot::config {
namespace {

std::array<std::uint8_t, 16> v6(const char* text) {
  std::array<std::uint8_t, 16> a{};
  EXPECT_EQ(inet_pton(AF_INET6, text, a.data()), 1) << text;
  return a;
}

cidr net(const char* text) {
  std::string why;
  auto n = parse_cidr(text, why);
  EXPECT_TRUE(n.has_value()) << text << ": " << why;
  return n.value_or(cidr{});
}

TEST(cidr, contains_addresses_of_its_network_only) {
  const struct {
    const char* network;
    const char* address;  // IPv6 form; IPv4 as ::ffff:a.b.c.d
    bool inside;
  } cases[] = {
      {"10.0.0.0/8", "::ffff:10.255.0.1", true},
      {"10.0.0.0/8", "::ffff:11.0.0.1", false},
      {"192.0.2.7", "::ffff:192.0.2.7", true},
      {"192.0.2.7", "::ffff:192.0.2.8", false},
      {"172.16.0.0/12", "::ffff:172.31.1.1", true},
      {"172.16.0.0/12", "::ffff:172.32.0.1", false},
      {"0.0.0.0/0", "::ffff:203.0.113.9", true},
      {"0.0.0.0/0", "2001:db8::1", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/32", "2001:db9::1", false},
      {"::1/128", "::1", true},
      {"::/0", "::ffff:10.0.0.1", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(net(c.network).contains(v6(c.address)), c.inside) << c.network << " " << c.address;
}

TEST(cidr, refuses_what_is_not_a_network) {
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x",
                          "10.1.0.0/8", "fe80::1/10", "256.0.0.0/8", "example.com", "::1/129"}) {
    std::string why;
    EXPECT_FALSE(parse_cidr(bad, why).has_value()) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

}  // namespace
}  // namespace teapot::config
