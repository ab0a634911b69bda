#include "teapot/limits.h"

namespace teapot {

std::uint64_t limits::body_for(std::string_view path) const noexcept {
  const body_limit_rule* best = nullptr;
  for (const body_limit_rule& rule : body_by_prefix)
    if (path.starts_with(rule.prefix) &&
        (best == nullptr || rule.prefix.size() > best->prefix.size()))
      best = &rule;
  return best != nullptr ? best->max : body;
}

}  // namespace teapot
