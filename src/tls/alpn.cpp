#include "tls/alpn.h"

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace teapot::tls {
namespace {

// The names of a wire-form list; empty when it is malformed.
std::vector<std::string_view> split_wire(std::string_view list) {
  std::vector<std::string_view> names;
  while (!list.empty()) {
    const auto n = static_cast<unsigned char>(list.front());
    if (n == 0 || n >= list.size()) return {};
    names.push_back(list.substr(1, n));
    list.remove_prefix(std::size_t{1} + n);
  }
  return names;
}

}  // namespace

std::optional<std::string_view> select_alpn(std::span<const std::string> server_preference,
                                            std::string_view client_list) {
  const std::vector<std::string_view> offered = split_wire(client_list);
  for (const std::string& wanted : server_preference)
    for (std::string_view name : offered)
      if (name == wanted) return name;  // protocol names compare as bytes (RFC 7301 §3.1)
  return std::nullopt;
}

std::string alpn_wire(std::span<const std::string> names) {
  std::string out;
  for (const std::string& name : names) {
    if (name.empty() || name.size() > 255)
      throw std::invalid_argument("ALPN protocol name '" + name + "' is not 1 to 255 bytes long");
    out += static_cast<char>(name.size());
    out += name;
  }
  return out;
}

}  // namespace teapot::tls
