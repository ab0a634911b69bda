// A single-level hashed timer wheel: O(1) arm and disarm, one slot per slot_ms of time.
// Timers are intrusive: the owner embeds a timer and keeps it alive while armed.
// Thread contract: a wheel and its timers are used from one thread (the loop's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace teapot::io {

namespace detail {
// A link in a circular doubly linked list. Each wheel slot holds a sentinel link, so that a
// timer unlinks itself without knowing which list (a slot, or a batch being fired) holds it.
struct timer_link {
  timer_link() = default;
  timer_link(const timer_link&) = delete;
  timer_link& operator=(const timer_link&) = delete;
  bool is_linked() const noexcept { return next != this; }
  void unlink() noexcept;
  void push_back(timer_link& item) noexcept;  // this is the sentinel
  timer_link* prev = this;
  timer_link* next = this;
};
}  // namespace detail

class timer : private detail::timer_link {
 public:
  timer() = default;
  explicit timer(std::function<void()> on_expire) : on_expire_(std::move(on_expire)) {}
  timer(const timer&) = delete;
  timer& operator=(const timer&) = delete;
  ~timer();  // disarms
  void set_callback(std::function<void()> fn) { on_expire_ = std::move(fn); }
  bool is_armed() const noexcept { return wheel_ != nullptr; }
  // The deadline of the last arm(), in the wheel's milliseconds.
  std::int64_t deadline_ms() const noexcept { return deadline_ms_; }

 private:
  friend class timer_wheel;
  std::function<void()> on_expire_;
  class timer_wheel* wheel_ = nullptr;
  std::int64_t deadline_ms_ = 0;
};

class timer_wheel {
 public:
  // The wheel spans slots * slot_ms; a later deadline waits in its slot for extra turns.
  explicit timer_wheel(std::size_t slots = 4096, std::int64_t slot_ms = 8);
  ~timer_wheel();  // disarms whatever is still armed, without calling it
  timer_wheel(const timer_wheel&) = delete;
  timer_wheel& operator=(const timer_wheel&) = delete;

  // Arms (or re-arms) t to fire at the first advance() whose now_ms >= deadline_ms. A deadline
  // already past fires at the next advance() (or the running one, if its sweep is not done).
  void arm(timer& t, std::int64_t deadline_ms) noexcept;
  void disarm(timer& t) noexcept;
  // Fires every timer whose deadline is <= now_ms. A callback may arm, disarm or destroy any
  // timer, including the one firing (a connection that closes itself on timeout).
  void advance(std::int64_t now_ms);
  // Milliseconds until the next deadline (for epoll_wait), -1 when none is armed, capped at
  // one turn of the wheel. It may be early (a far deadline's slot comes round) but not late
  // by more than one slot.
  int next_timeout_ms(std::int64_t now_ms) const noexcept;
  std::size_t armed() const noexcept { return armed_; }

 private:
  std::int64_t tick_of(std::int64_t ms) const noexcept { return ms < 0 ? 0 : ms / slot_ms_; }
  detail::timer_link& slot_for(std::int64_t tick) noexcept;
  void insert(timer& t) noexcept;
  void fire_slot(detail::timer_link& slot, std::int64_t now_ms);
  std::int64_t earliest_in(const detail::timer_link& slot, std::int64_t tick) const noexcept;
  // The first slot at or after index from (and before to) whose bit is set and that still holds
  // a timer; to when there is none. Clears the bits of slots found empty on the way.
  std::size_t next_occupied(std::size_t from, std::size_t to) const noexcept;

  std::vector<detail::timer_link> slots_;  // sentinels; the vector never reallocates
  // A bit per slot, set when a timer is slotted there. A timer unlinks itself without telling
  // the wheel, so a bit may outlive its slot's last timer: set bits are a superset of occupied
  // slots, made exact lazily. Without it, finding the next deadline walked every empty slot up
  // to the keep-alive timeout (hundreds) on each turn of the event loop.
  mutable std::vector<std::uint64_t> occupied_;
  std::int64_t slot_ms_;
  std::int64_t last_ms_ = -1;  // now_ms of the last advance(), -1 before the first
  std::size_t armed_ = 0;
};

}  // namespace teapot::io
