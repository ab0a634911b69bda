// How often a client does something over a sliding window, in constant space: the count of
// the current fixed window plus the previous window's count weighted by the share of it the
// sliding window still covers (the estimate rate limiters commonly use). A session keeps a
// few of these for the lifetime of its connection, so a queue of timestamps per budget unit
// would cost more than the thing it guards.
#pragma once

#include <chrono>
#include <cstdint>

namespace teapot::h2 {

class event_rate {
 public:
  using clock = std::chrono::steady_clock;
  // budget events per window are allowed; a window of zero counts nothing.
  event_rate(std::uint32_t budget, clock::duration window) noexcept
      : budget_(budget), window_(window) {}
  // Counts one event at now (which never goes back); true when the events of the window
  // ending at now, this one included, exceed the budget.
  bool record(clock::time_point now) noexcept;
  // The estimated count of events over the window ending at now.
  std::uint64_t estimate(clock::time_point now) const noexcept;

 private:
  void advance(clock::time_point now) noexcept;

  std::uint32_t budget_;
  clock::duration window_;
  clock::time_point start_{};  // of the current fixed window
  std::uint64_t current_ = 0;
  std::uint64_t previous_ = 0;
  bool started_ = false;
};

}  // namespace teapot::h2
