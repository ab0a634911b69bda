#include "teapot/request.h"

#include "base/ascii.h"

namespace teapot {

namespace {
using base::ascii::iequals;
}  // namespace

std::optional<std::string_view> request::header(std::string_view name) const noexcept {
  for (const auto& f : headers)
    if (iequals(f.name, name)) return f.value;
  if (early_data && iequals(name, "Early-Data")) return "1";
  return std::nullopt;
}

std::string_view request::param(std::string_view name) const noexcept {
  for (const auto& p : params)
    if (p.name == name) return p.value;
  return {};
}

}  // namespace teapot
