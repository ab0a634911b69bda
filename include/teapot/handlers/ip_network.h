// Client networks, for the allow and deny lists of the access step and the metrics.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace teapot::handlers {

// An IPv4 or IPv6 network. IPv4 is held in its IPv4-mapped IPv6 form (::ffff:a.b.c.d, RFC 4291
// §2.5.5.2) with 96 added to its prefix length, so that one comparison serves both families
// and a client connected over IPv6 with a mapped address matches the IPv4 lists.
struct ip_network {
  std::array<std::uint8_t, 16> address{};
  std::uint8_t prefix_length = 0;  // 0..128, in the IPv6 form
  friend bool operator==(const ip_network&, const ip_network&) = default;
};

// "10.0.0.0/8", "2001:db8::/32", "192.0.2.7" (a single address). Host bits past the prefix
// must be zero. nullopt for anything else.
std::optional<ip_network> parse_ip_network(std::string_view text);

// 127.0.0.0/8 and ::1: the machine itself.
std::vector<ip_network> loopback_networks();

}  // namespace teapot::handlers
