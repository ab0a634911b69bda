#include "config/cidr.h"

#include <arpa/inet.h>

#include <charconv>

#include "config/single_quoted.h"

namespace teapot::config {

namespace {

bool host_bits_clear(const handlers::ip_network& net) {
  for (unsigned bit = net.prefix_length; bit < 128; ++bit)
    if (net.address[bit / 8] & (0x80 >> (bit % 8))) return false;
  return true;
}

std::string network_of(const handlers::ip_network& net, bool v4) {
  handlers::ip_network clean = net;
  for (unsigned bit = net.prefix_length; bit < 128; ++bit)
    clean.address[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  char text[INET6_ADDRSTRLEN] = {};
  if (v4)
    inet_ntop(AF_INET, clean.address.data() + 12, text, sizeof text);
  else
    inet_ntop(AF_INET6, clean.address.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(net.prefix_length - (v4 ? 96 : 0));
}

// What handlers::parse_ip_network found wrong with text: the address, the prefix length, or
// the host bits, in the order it checks them.
std::string why_not_a_network(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string address(text.substr(0, slash));
  handlers::ip_network net;
  bool v4 = address.find(':') == std::string::npos;
  if (v4) {
    net.address[10] = net.address[11] = 0xff;
    if (inet_pton(AF_INET, address.c_str(), net.address.data() + 12) != 1)
      return single_quoted(address) + " is not an IPv4 or IPv6 address";
  } else if (inet_pton(AF_INET6, address.c_str(), net.address.data()) != 1) {
    return single_quoted(address) + " is not an IPv6 address";
  }
  unsigned max = v4 ? 32 : 128;
  unsigned length = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || length > max)
      return "'/" + std::string(digits) + "' is not a prefix length; expected /0 to /" +
             std::to_string(max);
  }
  net.prefix_length = static_cast<std::uint8_t>(length + (v4 ? 96 : 0));
  if (host_bits_clear(net)) return single_quoted(text) + " is not a network";
  return single_quoted(text) + " has bits set past its prefix; did you mean '" +
         network_of(net, v4) + "'?";
}

}  // namespace

std::optional<handlers::ip_network> parse_cidr(std::string_view text, std::string& why) {
  if (auto net = handlers::parse_ip_network(text)) return net;
  why = why_not_a_network(text);
  return std::nullopt;
}

}  // namespace teapot::config
