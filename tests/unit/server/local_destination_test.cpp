// Which destinations a forward proxy refuses without allow_local_destinations, from a table of
// addresses as getaddrinfo gives them.
#include "server/local_destination.h"

#include <netdb.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace teapot::srv {
namespace {

sockaddr_storage address(const std::string& text) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  sockaddr_storage out{};
  if (::getaddrinfo(text.c_str(), nullptr, &hints, &found) != 0) {
    ADD_FAILURE() << text;
    return out;
  }
  std::memcpy(&out, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  return out;
}

struct local_case {
  std::string text;
  bool local;
};

TEST(is_local_destination, decides_each_address_of_the_table) {
  const std::vector<local_case> cases = {
      {"127.0.0.1", true},
      {"127.255.255.254", true},
      {"0.0.0.0", true},
      {"0.1.2.3", true},
      {"169.254.169.254", true},
      {"169.254.0.1", true},
      {"::1", true},
      {"::", true},
      {"fe80::1", true},
      {"febf::1", true},
      {"::ffff:127.0.0.1", true},
      {"::ffff:169.254.169.254", true},
      {"::ffff:0.0.0.0", true},
      // Neither the host's nor its link's: another host, or a private network's (a LAN is
      // what a proxy inside one is for).
      {"128.0.0.1", false},
      {"126.255.255.255", false},
      {"169.253.255.255", false},
      {"169.255.0.1", false},
      {"10.0.0.1", false},
      {"192.168.1.1", false},
      {"192.0.2.1", false},
      {"1.1.1.1", false},
      {"::2", false},
      {"fec0::1", false},
      {"fe7f::1", false},
      {"2001:db8::1", false},
      {"::ffff:192.0.2.1", false},
      {"64:ff9b::7f00:1", false},
  };
  for (const local_case& c : cases)
    EXPECT_EQ(is_local_destination(address(c.text)), c.local) << c.text;
}

}  // namespace
}  // namespace teapot::srv
