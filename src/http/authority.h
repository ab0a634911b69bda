// Where a forward proxy connects: the authority of a CONNECT (authority-form, RFC 9112 §3.2.3)
// or of an absolute-form target (RFC 9112 §3.2.2), split into host and port. Pure functions over
// views; they allocate nothing and are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace teapot::http {

struct host_port {
  std::string_view host;  // a reg-name or IPv4 address as written; an IP literal without "[]"
  std::uint16_t port = 0;
};

// uri-host ":" port (RFC 3986 §3.2.2, §3.2.3) with a port from 1 to 65535, the form CONNECT
// requires (RFC 9112 §3.2.3: the port is not optional there). nullopt for an empty host, no
// port, a port of 0 or past 65535, a port with anything but digits, userinfo ('@'), or brackets
// that do not close right before the colon.
std::optional<host_port> parse_host_port(std::string_view authority) noexcept;

// The same with the port optional: default_port when the authority has none (RFC 3986 §3.2.3:
// an empty port is the scheme's default too).
std::optional<host_port> parse_host_port(std::string_view authority,
                                         std::uint16_t default_port) noexcept;

// An absolute-form target of the http scheme (case-insensitive, RFC 3986 §3.1), as a proxy
// forwards it (RFC 9110 §4.2.1: port 80 by default).
struct http_target {
  std::string_view authority;  // as written, the port included if it was
  host_port to;
  // What follows the authority: "/path?query", "?query" or empty. The origin-form of the
  // request to send is this with a "/" in front unless it starts with one (RFC 9112 §3.2.1:
  // an empty path is sent as "/").
  std::string_view rest;
};

// nullopt for another scheme, an empty or malformed authority, or userinfo.
std::optional<http_target> parse_http_target(std::string_view target) noexcept;

// Whether port is in the list (the ports a forward proxy tunnels to).
bool is_port_listed(std::span<const std::uint16_t> ports, std::uint16_t port) noexcept;

}  // namespace teapot::http
