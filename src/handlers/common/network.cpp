#include "handlers/common/network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace teapot::handlers::net {

namespace {

// inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 characters.
constexpr std::size_t max_address_text = 64;

bool is_ipv4_text(std::string_view text) noexcept {
  return text.find(':') == std::string_view::npos;
}

}  // namespace

std::optional<ip_address> parse_ip_address(std::string_view text) noexcept {
  if (std::size_t zone = text.find('%'); zone != std::string_view::npos && !is_ipv4_text(text))
    text = text.substr(0, zone);  // RFC 6874 zone index: says which link, not which host
  if (text.empty() || text.size() >= max_address_text) return std::nullopt;
  char buf[max_address_text];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  ip_address a{};
  if (is_ipv4_text(text)) {
    a[10] = a[11] = 0xff;  // RFC 4291 §2.5.5.2 IPv4-mapped form
    if (inet_pton(AF_INET, buf, a.data() + 12) != 1) return std::nullopt;
  } else if (inet_pton(AF_INET6, buf, a.data()) != 1) {
    return std::nullopt;
  }
  return a;
}

std::optional<ip_address> parse_peer_address(std::string_view peer) noexcept {
  if (!peer.empty() && peer.front() == '[') {
    std::size_t close = peer.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_ip_address(peer.substr(1, close - 1));
  }
  std::size_t colon = peer.find(':');
  if (colon != std::string_view::npos && peer.rfind(':') == colon)
    peer = peer.substr(0, colon);  // one colon: IPv4 with its port
  return parse_ip_address(peer);
}

bool contains(const ip_network& network, const ip_address& address) noexcept {
  const unsigned bits = network.prefix_length > 128 ? 128 : network.prefix_length;
  const unsigned whole = bits / 8;
  if (std::memcmp(network.address.data(), address.data(), whole) != 0) return false;
  if (bits % 8 == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xffu << (8 - bits % 8));
  return ((network.address[whole] ^ address[whole]) & mask) == 0;
}

}  // namespace teapot::handlers::net

namespace teapot::handlers {

std::optional<ip_network> parse_ip_network(std::string_view text) {
  std::size_t slash = text.find('/');
  auto address = net::parse_ip_address(text.substr(0, slash));
  if (!address || text.find('%') != std::string_view::npos) return std::nullopt;
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  const unsigned max = v4 ? 32 : 128;
  unsigned length = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || length > max)
      return std::nullopt;
  }
  ip_network n{*address, static_cast<std::uint8_t>(length + (v4 ? 96 : 0))};
  // A set bit past the prefix usually means a typo ("10.1.0.0/8"): refuse rather than guess.
  for (unsigned bit = n.prefix_length; bit < 128; ++bit)
    if (n.address[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
  return n;
}

std::vector<ip_network> loopback_networks() {
  return {*parse_ip_network("127.0.0.0/8"), *parse_ip_network("::1")};
}

}  // namespace teapot::handlers
