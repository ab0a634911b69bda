#include "config/cidr.h"

#include <gtest/gtest.h>

namespace teapot::config {
namespace {

// What the networks contain is the handler's business (tests/unit/handlers/basic_auth_test.cpp);
// the configuration reads the same network the handler would.
TEST(cidr, reads_the_network_the_handler_reads) {
  for (const char* text : {"10.0.0.0/8", "192.0.2.7", "172.16.0.0/12", "0.0.0.0/0", "2001:db8::/32",
                           "::1/128", "::/0"}) {
    std::string why;
    auto net = parse_cidr(text, why);
    ASSERT_TRUE(net.has_value()) << text << ": " << why;
    auto expected = handlers::parse_ip_network(text);
    ASSERT_TRUE(expected.has_value()) << text;
    EXPECT_EQ(net->address, expected->address) << text;
    EXPECT_EQ(net->prefix_length, expected->prefix_length) << text;
  }
}

TEST(cidr, refuses_what_is_not_a_network) {
  for (const char* bad :
       {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x", "10.1.0.0/8", "fe80::1/10",
        "256.0.0.0/8", "example.com", "::1/129", "fe80::1%eth0/64"}) {
    std::string why;
    EXPECT_FALSE(parse_cidr(bad, why).has_value()) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

}  // namespace
}  // namespace teapot::config
