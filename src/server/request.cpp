#include "teapot/request.h"

#include <strings.h>

namespace teapot {

namespace {
bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

std::optional<std::string_view> request::header(std::string_view name) const noexcept {
  for (const auto& f : headers)
    if (iequals(f.name, name)) return f.value;
  return std::nullopt;
}

std::string_view request::param(std::string_view name) const noexcept {
  for (const auto& p : params)
    if (p.name == name) return p.value;
  return {};
}

}  // namespace teapot
