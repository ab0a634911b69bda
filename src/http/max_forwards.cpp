#include "http/max_forwards.h"

#include <algorithm>

namespace teapot::http {

max_forwards_step max_forwards_for(std::string_view method,
                                   std::optional<std::string_view> value) noexcept {
  if ((method != "TRACE" && method != "OPTIONS") || !value || value->empty()) return {};
  // Digits past what fits are a value past the limit: only whether it is zero matters then.
  std::uint64_t n = 0;
  for (const char c : *value) {
    if (c < '0' || c > '9') return {};
    n = std::min<std::uint64_t>(n * 10 + static_cast<std::uint64_t>(c - '0'),
                                max_forwards_limit + 1);
  }
  if (n == 0) return {max_forwards_step::kind::answer, 0};
  return {max_forwards_step::kind::forward, std::min(n - 1, max_forwards_limit)};
}

}  // namespace teapot::http
