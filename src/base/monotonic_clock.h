// CLOCK_MONOTONIC in milliseconds, read now: the event loop's now_ms() is on the same clock,
// taken once per turn; durations that must not include the turn's wait read this.
#pragma once

#include <time.h>

#include <cstdint>

namespace teapot::base {

inline std::int64_t monotonic_ms() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// The same clock at the kernel tick's precision (a few ms), cheaper to read.
inline std::int64_t coarse_monotonic_ms() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace teapot::base
