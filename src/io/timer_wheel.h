// A hierarchical-free, single-level hashed timer wheel: O(1) arm and disarm, tick per ms slot.
// Timers are intrusive: the owner embeds a timer and keeps it alive while armed.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace teapot::io {

class timer {
 public:
  timer() = default;
  explicit timer(std::function<void()> on_expire) : on_expire_(std::move(on_expire)) {}
  timer(const timer&) = delete;
  timer& operator=(const timer&) = delete;
  ~timer();  // disarms
  void set_callback(std::function<void()> fn) { on_expire_ = std::move(fn); }
  bool is_armed() const noexcept { return wheel_ != nullptr; }

 private:
  friend class timer_wheel;
  std::function<void()> on_expire_;
  class timer_wheel* wheel_ = nullptr;
  timer* prev_ = nullptr;
  timer* next_ = nullptr;
  std::int64_t deadline_ms_ = 0;
};

class timer_wheel {
 public:
  explicit timer_wheel(std::size_t slots = 4096, std::int64_t slot_ms = 8);
  ~timer_wheel();
  void arm(timer& t, std::int64_t deadline_ms) noexcept;
  void disarm(timer& t) noexcept;
  // Fires every timer whose deadline is <= now_ms. A callback may arm or disarm any timer.
  void advance(std::int64_t now_ms);
  // Milliseconds until the next deadline (for epoll_wait), -1 when none is armed, capped.
  int next_timeout_ms(std::int64_t now_ms) const noexcept;

 private:
  std::vector<timer*> slots_;  // heads of doubly linked lists
  std::int64_t slot_ms_;
  std::int64_t last_ms_ = -1;
  std::size_t armed_ = 0;
};

}  // namespace teapot::io
