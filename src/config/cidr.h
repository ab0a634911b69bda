// Client networks for allow/deny lists: "10.0.0.0/8", "2001:db8::/32", "192.0.2.7".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "teapot/handlers/basic_auth.h"

namespace teapot::config {

// A network in CIDR notation, or a single address (a full-length prefix), as
// handlers::parse_ip_network reads it. Host bits must be zero: "10.1.2.3/8" is refused, because
// it usually means the writer expected something else. On failure `why` says what is wrong and
// returns nullopt.
std::optional<handlers::ip_network> parse_cidr(std::string_view text, std::string& why);

}  // namespace teapot::config
