#include "io/timer_wheel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

namespace teapot::io {
namespace {

// Advances one millisecond at a time from `from` to `to`, as a loop that wakes every ms would.
void step(timer_wheel& wheel, std::int64_t from, std::int64_t to) {
  for (std::int64_t now = from; now <= to; ++now)
    wheel.advance(now);
}

TEST(timer_wheel, fires_timers_in_deadline_order_at_their_deadline) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  std::vector<std::pair<int, std::int64_t>> fired;  // (id, now at firing)
  std::int64_t now = 0;
  timer a([&] { fired.emplace_back(100, now); });
  timer b([&] { fired.emplace_back(20, now); });
  timer c([&] { fired.emplace_back(50, now); });
  wheel.arm(a, 100);
  wheel.arm(b, 20);
  wheel.arm(c, 50);
  EXPECT_EQ(wheel.armed(), 3u);
  for (now = 1; now <= 200; ++now)
    wheel.advance(now);
  const std::vector<std::pair<int, std::int64_t>> expected{{20, 20}, {50, 50}, {100, 100}};
  EXPECT_EQ(fired, expected);
  EXPECT_EQ(wheel.armed(), 0u);
  EXPECT_FALSE(a.is_armed());
}

TEST(timer_wheel, a_disarmed_timer_does_not_fire) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  int calls = 0;
  timer t([&] { ++calls; });
  wheel.arm(t, 10);
  EXPECT_TRUE(t.is_armed());
  wheel.disarm(t);
  EXPECT_FALSE(t.is_armed());
  wheel.disarm(t);  // twice is harmless
  step(wheel, 1, 100);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(wheel.armed(), 0u);
}

TEST(timer_wheel, destroying_an_armed_timer_disarms_it) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  int calls = 0;
  {
    timer t([&] { ++calls; });
    wheel.arm(t, 10);
  }
  EXPECT_EQ(wheel.armed(), 0u);
  step(wheel, 1, 100);
  EXPECT_EQ(calls, 0);
}

TEST(timer_wheel, rearming_moves_the_deadline) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  std::int64_t now = 0;
  std::int64_t fired_at = -1;
  timer t([&] { fired_at = now; });
  wheel.arm(t, 10);
  wheel.arm(t, 300);
  EXPECT_EQ(wheel.armed(), 1u);
  for (now = 1; now <= 400; ++now)
    wheel.advance(now);
  EXPECT_EQ(fired_at, 300);
}

TEST(timer_wheel, a_callback_may_rearm_its_own_timer) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  std::int64_t now = 0;
  std::vector<std::int64_t> fired;
  timer t;
  t.set_callback([&] {
    fired.push_back(now);
    if (fired.size() < 5) wheel.arm(t, now + 10);
  });
  wheel.arm(t, 10);
  for (now = 1; now <= 200; ++now)
    wheel.advance(now);
  EXPECT_EQ(fired, (std::vector<std::int64_t>{10, 20, 30, 40, 50}));
}

TEST(timer_wheel, a_timer_rearmed_in_the_past_fires_once_per_advance) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  int calls = 0;
  timer t;
  t.set_callback([&] {
    ++calls;
    wheel.arm(t, 0);  // already due: must not spin inside this advance()
  });
  wheel.arm(t, 5);
  wheel.advance(5);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(wheel.next_timeout_ms(5), 0);
  wheel.advance(6);
  EXPECT_EQ(calls, 2);
  wheel.disarm(t);
}

TEST(timer_wheel, a_callback_may_disarm_a_timer_due_in_the_same_batch) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  int first_calls = 0;
  int second_calls = 0;
  timer second([&] { ++second_calls; });
  timer first([&] {
    ++first_calls;
    wheel.disarm(second);
  });
  wheel.arm(first, 10);
  wheel.arm(second, 10);
  wheel.advance(50);
  EXPECT_EQ(first_calls, 1);
  EXPECT_EQ(second_calls, 0);
}

TEST(timer_wheel, a_callback_may_destroy_its_own_timer_and_others_due_with_it) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  auto own = std::make_unique<timer>();
  auto other = std::make_unique<timer>();
  int other_calls = 0;
  bool ran = false;
  own->set_callback([&] {
    own.reset();
    other.reset();
    ran = true;
  });
  other->set_callback([&] { ++other_calls; });
  wheel.arm(*own, 10);
  wheel.arm(*other, 12);
  wheel.advance(50);
  EXPECT_TRUE(ran);
  EXPECT_EQ(other_calls, 0);
  EXPECT_EQ(wheel.armed(), 0u);
}

TEST(timer_wheel, a_throwing_callback_leaves_the_other_timers_armed_for_the_next_advance) {
  timer_wheel wheel(64, 8);
  wheel.advance(0);
  std::vector<int> fired;
  timer thrower([&] {
    fired.push_back(1);
    throw std::runtime_error("callback failed");
  });
  timer same_slot([&] { fired.push_back(2); });
  timer later_slot([&] { fired.push_back(3); });
  wheel.arm(thrower, 10);
  wheel.arm(same_slot, 11);
  wheel.arm(later_slot, 30);
  EXPECT_THROW(wheel.advance(40), std::runtime_error);
  EXPECT_EQ(fired, (std::vector<int>{1}));
  EXPECT_EQ(wheel.armed(), 2u);
  wheel.advance(41);
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(wheel.armed(), 0u);
}

TEST(timer_wheel, far_deadlines_wait_for_their_turn_of_the_wheel) {
  timer_wheel wheel(16, 1);  // spans 16 ms
  wheel.advance(0);
  std::int64_t now = 0;
  std::int64_t fired_at = -1;
  timer t([&] { fired_at = now; });
  wheel.arm(t, 1000);
  for (now = 1; now < 1000; ++now) {
    wheel.advance(now);
    ASSERT_EQ(fired_at, -1) << "fired early at " << now;
  }
  wheel.advance(now);
  EXPECT_EQ(fired_at, 1000);
}

TEST(timer_wheel, far_deadlines_survive_jumps_longer_than_the_wheel) {
  timer_wheel wheel(16, 1);
  wheel.advance(0);
  int calls = 0;
  timer t([&] { ++calls; });
  wheel.arm(t, 1000);
  wheel.advance(500);
  wheel.advance(999);
  EXPECT_EQ(calls, 0);
  wheel.advance(5000);
  EXPECT_EQ(calls, 1);
}

TEST(timer_wheel, timers_armed_before_the_first_advance_fire_when_due) {
  timer_wheel wheel(16, 1);
  int calls = 0;
  timer early([&] { ++calls; });
  timer late([&] { calls += 100; });
  wheel.arm(early, 1000);
  wheel.arm(late, 3000);
  EXPECT_EQ(wheel.next_timeout_ms(0), 0);
  wheel.advance(2000);
  EXPECT_EQ(calls, 1);
  wheel.advance(3000);
  EXPECT_EQ(calls, 101);
}

TEST(timer_wheel, next_timeout_follows_the_earliest_deadline) {
  timer_wheel wheel(4096, 8);
  wheel.advance(1000);
  EXPECT_EQ(wheel.next_timeout_ms(1000), -1);
  timer a;
  timer b;
  wheel.arm(a, 1250);
  EXPECT_EQ(wheel.next_timeout_ms(1000), 250);
  wheel.arm(b, 1003);
  EXPECT_EQ(wheel.next_timeout_ms(1000), 3);
  EXPECT_EQ(wheel.next_timeout_ms(1010), 0);  // overdue: wake at once
  wheel.disarm(b);
  EXPECT_EQ(wheel.next_timeout_ms(1000), 250);
  wheel.arm(a, 1000 + 10 * 4096 * 8);  // beyond one turn: capped, the slot is looked at again
  const int timeout = wheel.next_timeout_ms(1000);
  EXPECT_GT(timeout, 0);
  EXPECT_LE(timeout, 4096 * 8);
}

// The wheel remembers which slots hold timers; a slot emptied by disarm or by firing must not
// shorten the wait, and a deadline in a slot before the current one (the wheel wrapped) counts.
TEST(timer_wheel, next_timeout_sees_through_emptied_slots_and_across_the_wrap) {
  timer_wheel wheel(64, 10);  // one turn: 640 ms, in a single 64-bit word of slots
  wheel.advance(5000);        // tick 500: slot 52
  timer near;
  timer far;
  wheel.arm(near, 5020);
  wheel.arm(far, 5500);  // tick 550: slot 38, before the current slot in the array
  EXPECT_EQ(wheel.next_timeout_ms(5000), 20);
  wheel.disarm(near);
  EXPECT_EQ(wheel.next_timeout_ms(5000), 500);
  EXPECT_EQ(wheel.next_timeout_ms(5000), 500);  // asked again, after the stale slot was cleared
  wheel.advance(5500);
  EXPECT_EQ(wheel.next_timeout_ms(5500), -1);
  timer wide[3];
  timer_wheel large(1000, 1);  // not a multiple of 64 slots
  large.advance(990);
  large.arm(wide[1], 1003);  // slot 3, after the wrap
  EXPECT_EQ(large.next_timeout_ms(990), 13);
  large.arm(wide[0], 1995);  // slot 995, a turn later: woken early, when the slot comes round
  EXPECT_EQ(large.next_timeout_ms(990), 6);
  large.arm(wide[2], 995);
  EXPECT_EQ(large.next_timeout_ms(990), 5);
}
TEST(timer_wheel, many_timers_each_fire_once_at_the_first_advance_past_their_deadline) {
  constexpr int count = 20000;
  timer_wheel wheel(256, 4);  // spans 1024 ms; deadlines reach 100 s
  wheel.advance(0);
  std::mt19937 rng(12345);
  std::vector<std::unique_ptr<timer>> timers;
  std::vector<std::int64_t> deadline(count);
  std::vector<std::int64_t> fired_at(count, -1);
  std::vector<int> calls(count, 0);
  std::int64_t now = 0;
  for (int i = 0; i < count; ++i) {
    deadline[i] = std::uniform_int_distribution<std::int64_t>(0, 100'000)(rng);
    timers.push_back(std::make_unique<timer>([&, i] {
      ++calls[i];
      fired_at[i] = now;
    }));
    wheel.arm(*timers[i], deadline[i]);
  }
  for (int i = 0; i < count; i += 3)
    wheel.disarm(*timers[i]);
  std::int64_t previous = 0;
  while (now < 110'000) {
    previous = now;
    now += std::uniform_int_distribution<std::int64_t>(1, 3000)(rng);
    wheel.advance(now);
    for (int i = 0; i < count; ++i) {
      if (i % 3 == 0 || deadline[i] > now || deadline[i] <= previous) continue;
      ASSERT_EQ(fired_at[i], now) << "timer " << i << " deadline " << deadline[i];
    }
  }
  for (int i = 0; i < count; ++i)
    EXPECT_EQ(calls[i], i % 3 == 0 ? 0 : 1) << "timer " << i;
  EXPECT_EQ(wheel.armed(), 0u);
}

TEST(timer_wheel, destroying_the_wheel_leaves_its_timers_disarmed) {
  timer t;
  {
    timer_wheel wheel(16, 1);
    wheel.arm(t, 100);
    EXPECT_TRUE(t.is_armed());
  }
  EXPECT_FALSE(t.is_armed());
}

}  // namespace
}  // namespace teapot::io
