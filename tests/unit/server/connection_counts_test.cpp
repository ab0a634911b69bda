// The per-address count behind limits.max_connections_per_address: a share per address, freed
// as its connections close, with no entry left for an address that has none open.
#include "server/connection_counts.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <atomic>
#include <thread>
#include <vector>

namespace teapot::srv {
namespace {

address_key v4(const char* text, std::uint16_t port = 1234) {
  sockaddr_storage s{};
  auto& in = reinterpret_cast<sockaddr_in&>(s);
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, text, &in.sin_addr), 1);
  return address_key::of(s);
}

address_key v6(const char* text) {
  sockaddr_storage s{};
  auto& in6 = reinterpret_cast<sockaddr_in6&>(s);
  in6.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &in6.sin6_addr), 1);
  return address_key::of(s);
}

TEST(address_key, is_the_address_without_its_port) {
  EXPECT_EQ(v4("10.0.0.1", 1), v4("10.0.0.1", 2));
  EXPECT_NE(v4("10.0.0.1"), v4("10.0.0.2"));
  EXPECT_EQ(v6("2001:db8::1"), v6("2001:db8::1"));
  EXPECT_NE(v6("2001:db8::1"), v6("2001:db8::2"));  // the whole IPv6 address
  EXPECT_TRUE(v4("10.0.0.1").is_ip());
  sockaddr_storage unix_socket{};
  unix_socket.ss_family = AF_UNIX;
  EXPECT_FALSE(address_key::of(unix_socket).is_ip());
}

TEST(address_counts, admits_up_to_the_share_of_each_address) {
  address_counts counts;
  const address_key a = v4("192.0.2.1");
  const address_key b = v4("192.0.2.2");
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(counts.try_add(a, 3)) << i;
  EXPECT_FALSE(counts.try_add(a, 3));  // one past the share
  EXPECT_EQ(counts.count(a), 3u);
  EXPECT_TRUE(counts.try_add(b, 3));  // another address has its own
  counts.remove(a);
  EXPECT_TRUE(counts.try_add(a, 3));  // a place freed is taken again
  EXPECT_FALSE(counts.try_add(a, 3));
}

TEST(address_counts, forgets_an_address_with_no_connection_open) {
  address_counts counts;
  const address_key a = v6("2001:db8::7");
  ASSERT_TRUE(counts.try_add(a, 1));
  EXPECT_FALSE(counts.try_add(a, 1));  // a refusal leaves the count as it was
  counts.remove(a);
  EXPECT_EQ(counts.count(a), 0u);
  counts.remove(a);  // nothing to free: no underflow
  EXPECT_TRUE(counts.try_add(a, 1));
}

TEST(address_counts, never_caps_what_is_not_an_ip_address_nor_a_zero_share) {
  address_counts counts;
  const address_key none{};
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(counts.try_add(none, 1));
  EXPECT_TRUE(counts.try_add(v4("192.0.2.9"), 0));
}

// Workers add and remove from their own threads: the share holds across them.
TEST(address_counts, holds_the_share_across_threads) {
  address_counts counts;
  const address_key a = v4("198.51.100.1");
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (counts.try_add(a, 10)) ++admitted;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(admitted.load(), 10);
  EXPECT_EQ(counts.count(a), 10u);
}

}  // namespace
}  // namespace teapot::srv
