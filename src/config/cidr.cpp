#include "config/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "config/single_quoted.h"

namespace teapot::config {

bool cidr::contains(const std::array<std::uint8_t, 16>& other) const noexcept {
  std::size_t full = prefix_length / 8;
  if (std::memcmp(address.data(), other.data(), full) != 0) return false;
  unsigned rest = prefix_length % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address[full] & mask) == (other[full] & mask);
}

namespace {

bool host_bits_clear(const cidr& net) {
  for (unsigned bit = net.prefix_length; bit < 128; ++bit)
    if (net.address[bit / 8] & (0x80 >> (bit % 8))) return false;
  return true;
}

std::string network_of(const cidr& net, bool v4) {
  cidr clean = net;
  for (unsigned bit = net.prefix_length; bit < 128; ++bit)
    clean.address[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  char text[INET6_ADDRSTRLEN] = {};
  if (v4)
    inet_ntop(AF_INET, clean.address.data() + 12, text, sizeof text);
  else
    inet_ntop(AF_INET6, clean.address.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(net.prefix_length - (v4 ? 96 : 0));
}

}  // namespace

std::optional<cidr> parse_cidr(std::string_view text, std::string& why) {
  std::size_t slash = text.find('/');
  std::string address(text.substr(0, slash));
  cidr net;
  bool v4 = address.find(':') == std::string::npos;
  if (v4) {
    net.address[10] = net.address[11] = 0xff;
    if (inet_pton(AF_INET, address.c_str(), net.address.data() + 12) != 1) {
      why = single_quoted(address) + " is not an IPv4 or IPv6 address";
      return std::nullopt;
    }
  } else if (inet_pton(AF_INET6, address.c_str(), net.address.data()) != 1) {
    why = single_quoted(address) + " is not an IPv6 address";
    return std::nullopt;
  }
  unsigned max = v4 ? 32 : 128;
  unsigned length = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        length > max) {
      why = "'/" + std::string(digits) + "' is not a prefix length; expected /0 to /" +
            std::to_string(max);
      return std::nullopt;
    }
  }
  net.prefix_length = static_cast<std::uint8_t>(length + (v4 ? 96 : 0));
  if (!host_bits_clear(net)) {
    why = single_quoted(text) + " has bits set past its prefix; did you mean '" +
          network_of(net, v4) + "'?";
    return std::nullopt;
  }
  return net;
}

}  // namespace teapot::config
