#include "io/timer_wheel.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace teapot::io {

namespace detail {

void timer_link::unlink() noexcept {
  prev->next = next;
  next->prev = prev;
  prev = next = this;
}

void timer_link::push_back(timer_link& item) noexcept {
  item.prev = prev;
  item.next = this;
  prev->next = &item;
  prev = &item;
}

}  // namespace detail

timer::~timer() {
  if (wheel_ != nullptr) wheel_->disarm(*this);
}

timer_wheel::timer_wheel(std::size_t slots, std::int64_t slot_ms)
    : slots_(std::max<std::size_t>(slots, 1)),
      occupied_((slots_.size() + 63) / 64),
      slot_ms_(std::max<std::int64_t>(slot_ms, 1)) {}

timer_wheel::~timer_wheel() {
  for (auto& slot : slots_) {
    while (slot.is_linked()) {
      auto* t = static_cast<timer*>(slot.next);
      t->unlink();
      t->wheel_ = nullptr;
    }
  }
}

detail::timer_link& timer_wheel::slot_for(std::int64_t tick) noexcept {
  return slots_[static_cast<std::size_t>(tick) % slots_.size()];
}

// A deadline in a tick already swept goes to the current tick's slot, which the next advance()
// sweeps first; otherwise it would wait a whole turn of the wheel.
void timer_wheel::insert(timer& t) noexcept {
  std::int64_t tick = tick_of(t.deadline_ms_);
  if (last_ms_ >= 0) tick = std::max(tick, tick_of(last_ms_));
  const auto index = static_cast<std::size_t>(tick) % slots_.size();
  slots_[index].push_back(t);
  occupied_[index / 64] |= std::uint64_t{1} << (index % 64);
}

void timer_wheel::arm(timer& t, std::int64_t deadline_ms) noexcept {
  if (t.wheel_ != nullptr) t.wheel_->disarm(t);
  t.deadline_ms_ = deadline_ms;
  t.wheel_ = this;
  insert(t);
  ++armed_;
}

void timer_wheel::disarm(timer& t) noexcept {
  if (t.wheel_ != this) return;
  t.unlink();
  t.wheel_ = nullptr;
  --armed_;
}

void timer_wheel::advance(std::int64_t now_ms) {
  if (now_ms < last_ms_) now_ms = last_ms_;  // the clock is monotonic; a caller's may not be
  // Before the first advance, timers were slotted by deadline alone: sweep the whole wheel.
  const std::int64_t first = last_ms_ < 0 ? tick_of(now_ms) : tick_of(last_ms_);
  const std::int64_t span = static_cast<std::int64_t>(slots_.size());
  const std::int64_t count = last_ms_ < 0 ? span : std::min(tick_of(now_ms) - first + 1, span);
  // Set first, so that timers armed by callbacks land in a slot the next advance() sweeps.
  last_ms_ = now_ms;
  for (std::int64_t i = 0; i < count && armed_ > 0; ++i) {
    try {
      fire_slot(slot_for(first + i), now_ms);
    } catch (...) {
      // The next advance() resumes the sweep at this slot, so that none is skipped.
      last_ms_ = (first + i) * slot_ms_;
      throw;
    }
  }
}

// The slot's timers move to a local list before any callback runs: a callback may then arm
// into this very slot (seen at the next advance) and disarm any timer of the batch.
void timer_wheel::fire_slot(detail::timer_link& slot, std::int64_t now_ms) {
  if (!slot.is_linked()) return;
  detail::timer_link batch;
  batch.next = slot.next;
  batch.prev = slot.prev;
  batch.next->prev = &batch;
  batch.prev->next = &batch;
  slot.prev = slot.next = &slot;
  while (batch.is_linked()) {
    auto* t = static_cast<timer*>(batch.next);
    t->unlink();
    if (t->deadline_ms_ > now_ms) {  // a far deadline, or later in the current tick
      insert(*t);
      continue;
    }
    t->wheel_ = nullptr;
    --armed_;
    if (!t->on_expire_) continue;
    try {
      // A copy, because the callback may destroy the timer that holds it.
      std::function<void()>(t->on_expire_)();
    } catch (...) {
      // The batch list dies with this frame: the timers left in it go back to their slot.
      while (batch.is_linked()) {
        auto& rest = *batch.next;
        rest.unlink();
        slot.push_back(rest);
      }
      throw;
    }
  }
}

// The earliest deadline among the first timers slotted for tick, and never past the tick's end:
// a long list is not walked on every loop iteration, which may make the wake-up one slot late.
std::int64_t timer_wheel::earliest_in(const detail::timer_link& slot,
                                      std::int64_t tick) const noexcept {
  constexpr int max_walk = 32;
  std::int64_t earliest = (tick + 1) * slot_ms_;
  int walked = 0;
  for (const auto* l = slot.next; l != &slot && walked < max_walk; l = l->next, ++walked) {
    earliest = std::min(earliest, static_cast<const timer*>(l)->deadline_ms_);
  }
  return earliest;
}

std::size_t timer_wheel::next_occupied(std::size_t from, std::size_t to) const noexcept {
  while (from < to) {
    std::uint64_t word = occupied_[from / 64] & (~std::uint64_t{0} << (from % 64));
    if (word == 0) {
      from = (from / 64 + 1) * 64;
      continue;
    }
    const std::size_t index = (from / 64) * 64 + static_cast<std::size_t>(std::countr_zero(word));
    if (index >= to) return to;
    if (slots_[index].is_linked()) return index;
    occupied_[index / 64] &= ~(std::uint64_t{1} << (index % 64));
    from = index + 1;
  }
  return to;
}

int timer_wheel::next_timeout_ms(std::int64_t now_ms) const noexcept {
  if (armed_ == 0) return -1;
  if (last_ms_ < 0) return 0;  // the first advance() has not sorted them yet
  const std::int64_t first = tick_of(std::min(last_ms_, now_ms));
  const std::size_t size = slots_.size();
  const std::size_t start = static_cast<std::size_t>(first) % size;
  std::size_t found = next_occupied(start, size);
  std::int64_t distance = static_cast<std::int64_t>(found - start);
  if (found == size) {
    found = next_occupied(0, start);
    distance = static_cast<std::int64_t>(size - start + found);
  }
  const std::int64_t span = static_cast<std::int64_t>(size);
  if (found == start && distance != 0) {  // nothing in any slot
    return static_cast<int>(
        std::min<std::int64_t>(span * slot_ms_, std::numeric_limits<int>::max()));
  }
  const std::int64_t wait = earliest_in(slots_[found], first + distance) - now_ms;
  return static_cast<int>(std::clamp<std::int64_t>(wait, 0, span * slot_ms_));
}

}  // namespace teapot::io
