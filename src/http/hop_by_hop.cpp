#include "http/hop_by_hop.h"

#include <algorithm>

#include "http/field_lists.h"

namespace teapot::http {

namespace ascii = base::ascii;

bool is_fixed_hop_by_hop(std::string_view name) noexcept {
  return std::any_of(fixed_hop_by_hop_fields.begin(), fixed_hop_by_hop_fields.end(),
                     [name](std::string_view fixed) { return ascii::iequals(name, fixed); });
}

bool add_connection_options(std::string_view value, std::vector<std::string_view>& options) {
  bool valid = true;
  for_each_element(value, [&](std::string_view option) {
    if (!valid || option.empty()) return;
    if (!ascii::is_token(option)) {
      valid = false;
      return;
    }
    options.push_back(option);
  });
  return valid;
}

// RFC 9110 §7.6.1: "a proxy or gateway MUST parse a received Connection header field before a
// message is forwarded and, for each connection-option in this field, remove any header or
// trailer field(s) from the message with the same name as the connection-option, and then
// remove the Connection header field itself".
bool is_hop_by_hop(std::string_view name,
                   std::span<const std::string_view> connection_options) noexcept {
  if (is_fixed_hop_by_hop(name)) return true;
  return std::any_of(connection_options.begin(), connection_options.end(),
                     [name](std::string_view option) { return ascii::iequals(name, option); });
}

}  // namespace teapot::http
