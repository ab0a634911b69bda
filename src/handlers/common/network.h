// Client addresses and networks for the allow/deny lists: parsing and the prefix match.
// Pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "teapot/handlers/ip_network.h"

namespace teapot::handlers::net {

using ip_address = std::array<std::uint8_t, 16>;

// "192.0.2.7" (as ::ffff:192.0.2.7) or "2001:db8::1", with an IPv6 zone ("%eth0") ignored.
std::optional<ip_address> parse_ip_address(std::string_view text) noexcept;

// The address of a peer as request::remote_address gives it: "192.0.2.7:5000",
// "[2001:db8::1]:5000", or either without its port.
std::optional<ip_address> parse_peer_address(std::string_view peer) noexcept;

// True when the first prefix_length bits of address equal the network's.
bool contains(const ip_network& network, const ip_address& address) noexcept;

// True when any network of the list contains address.
template <class Networks>
bool any_contains(const Networks& networks, const ip_address& address) noexcept {
  for (const ip_network& n : networks)
    if (contains(n, address)) return true;
  return false;
}

}  // namespace teapot::handlers::net
