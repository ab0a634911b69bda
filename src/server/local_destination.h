// Whether an address a forward proxy would connect to is this host's or its link's
// (forward_proxy_options::allow_local_destinations). A pure function; safe from any thread.
#pragma once

#include <sys/socket.h>

namespace teapot::srv {

// Loopback (127.0.0.0/8, ::1, RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), link-local
// (169.254.0.0/16, RFC 3927; fe80::/10, RFC 4291 §2.5.6), unspecified or "this network"
// (0.0.0.0/8, ::, which Linux connects to the host itself), and each IPv4 one written as an
// IPv4-mapped IPv6 address (::ffff:127.0.0.1, RFC 4291 §2.5.5.2). Another family is not local.
bool is_local_destination(const sockaddr_storage& addr) noexcept;

}  // namespace teapot::srv
