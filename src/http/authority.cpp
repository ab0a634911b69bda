#include "http/authority.h"

#include <algorithm>

#include "base/ascii.h"

namespace teapot::http {

namespace {

namespace ascii = base::ascii;

// port = *DIGIT (RFC 3986 §3.2.3), read as a TCP port: 1 to 65535, leading zeros allowed.
std::optional<std::uint16_t> parse_port(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : digits) {
    if (!ascii::is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535) return std::nullopt;
  }
  if (value == 0) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool is_host_byte(char c) noexcept {
  // reg-name and IPv4address bytes (RFC 3986 §3.2.2); '@' would be userinfo, '%' is left out
  // as no name a resolver takes holds it.
  return ascii::is_alpha(c) || ascii::is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool is_ip_literal_byte(char c) noexcept {
  return ascii::is_hexdig(c) || c == ':' || c == '.';
}

}  // namespace

std::optional<host_port> parse_host_port(std::string_view authority,
                                         std::uint16_t default_port) noexcept {
  host_port out;
  std::string_view rest;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    out.host = authority.substr(1, close - 1);
    if (!std::all_of(out.host.begin(), out.host.end(), is_ip_literal_byte)) return std::nullopt;
    rest = authority.substr(close + 1);
  } else {
    const std::size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), is_host_byte))
      return std::nullopt;
    if (colon != std::string_view::npos) rest = authority.substr(colon);
  }
  if (rest.empty() || rest == ":") {
    if (default_port == 0) return std::nullopt;
    out.port = default_port;
    return out;
  }
  if (rest.front() != ':') return std::nullopt;
  const std::optional<std::uint16_t> port = parse_port(rest.substr(1));
  if (!port) return std::nullopt;
  out.port = *port;
  return out;
}

std::optional<host_port> parse_host_port(std::string_view authority) noexcept {
  return parse_host_port(authority, 0);
}

std::optional<http_target> parse_http_target(std::string_view target) noexcept {
  constexpr std::string_view scheme = "http://";
  if (target.size() <= scheme.size() || !ascii::iequals(target.substr(0, scheme.size()), scheme))
    return std::nullopt;
  const std::string_view after = target.substr(scheme.size());
  const std::size_t end = std::min(after.find_first_of("/?#"), after.size());
  http_target out;
  out.authority = after.substr(0, end);
  out.rest = after.substr(end);
  // A fragment is never sent (RFC 9110 §4.2.5); the codec has refused '#' in a target already.
  if (!out.rest.empty() && out.rest.front() == '#') return std::nullopt;
  const std::optional<host_port> to = parse_host_port(out.authority, 80);
  if (!to) return std::nullopt;
  out.to = *to;
  return out;
}

bool is_port_listed(std::span<const std::uint16_t> ports, std::uint16_t port) noexcept {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

}  // namespace teapot::http
