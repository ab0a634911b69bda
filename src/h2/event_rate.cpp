#include "h2/event_rate.h"

#include <cmath>

namespace teapot::h2 {

void event_rate::advance(clock::time_point now) noexcept {
  if (!started_) {
    started_ = true;
    start_ = now;
    return;
  }
  const auto windows = (now - start_) / window_;
  if (windows == 0) return;
  previous_ = windows == 1 ? current_ : 0;
  current_ = 0;
  start_ += windows * window_;
}

std::uint64_t event_rate::estimate(clock::time_point now) const noexcept {
  if (!started_ || window_.count() <= 0) return current_;
  const auto windows = (now - start_) / window_;
  if (windows >= 2) return 0;
  const std::uint64_t previous = windows == 1 ? current_ : previous_;
  const std::uint64_t current = windows == 1 ? 0 : current_;
  const auto into = (now - start_) - windows * window_;
  // The part of the previous fixed window that the sliding window still covers.
  const double covered =
      static_cast<double>((window_ - into).count()) / static_cast<double>(window_.count());
  return current + static_cast<std::uint64_t>(std::ceil(static_cast<double>(previous) * covered));
}

bool event_rate::record(clock::time_point now) noexcept {
  if (window_.count() <= 0) return false;
  advance(now);
  ++current_;
  return estimate(now) > budget_;
}

}  // namespace teapot::h2
