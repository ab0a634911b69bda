// Client networks for allow/deny lists: "10.0.0.0/8", "2001:db8::/32", "192.0.2.7".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/model.h"

namespace teapot::config {

// A network in CIDR notation, or a single address (a full-length prefix). Host bits must be
// zero: "10.1.2.3/8" is refused, because it usually means the writer expected something else.
// On failure `why` says what is wrong and returns nullopt.
std::optional<cidr> parse_cidr(std::string_view text, std::string& why);

}  // namespace teapot::config
