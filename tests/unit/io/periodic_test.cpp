// The periodic task: it runs again and again on its own thread, survives a failing run, and
// stop() ends it at once however long the period. Waits are for events, never for a time.
#include "io/periodic.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace teapot::io {
namespace {

using namespace std::chrono_literals;

// Counts runs, and lets a test wait until there have been n.
class run_counter {
 public:
  void count() {
    {
      const std::lock_guard lock(mu_);
      ++runs_;
    }
    more_.notify_all();
  }
  // False when n runs did not come within a minute (a hung thread fails the test, not ctest).
  bool wait_for(int n) {
    std::unique_lock lock(mu_);
    return more_.wait_for(lock, 60s, [&] { return runs_ >= n; });
  }
  int runs() {
    const std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable more_;
  int runs_ = 0;
};

TEST(periodic, runs_the_task_again_and_again_on_a_thread_of_its_own) {
  run_counter counter;
  std::atomic<bool> on_caller{false};
  const auto caller = std::this_thread::get_id();
  periodic p(1ms, [&] {
    if (std::this_thread::get_id() == caller) on_caller = true;
    counter.count();
  });
  EXPECT_TRUE(counter.wait_for(3));
  EXPECT_FALSE(on_caller);
}

TEST(periodic, goes_on_after_a_run_that_throws_and_reports_it) {
  run_counter counter;
  std::string reported;
  std::mutex mu;
  periodic p(
      1ms,
      [&] {
        counter.count();
        if (counter.runs() == 1) throw std::runtime_error("no randomness");
      },
      [&](const char* what) {
        const std::lock_guard lock(mu);
        reported = what;
      });
  EXPECT_TRUE(counter.wait_for(3));
  const std::lock_guard lock(mu);
  EXPECT_EQ(reported, "no randomness");
}

TEST(periodic, runs_nothing_after_stop) {
  run_counter counter;
  periodic p(1ms, [&] { counter.count(); });
  EXPECT_TRUE(counter.wait_for(1));
  p.stop();
  const int at_stop = counter.runs();  // a run under way at stop() may still count
  std::this_thread::sleep_for(20ms);   // many periods, none of which may run
  EXPECT_LE(counter.runs(), at_stop + 1);
}

TEST(periodic, a_long_period_does_not_hold_up_its_destruction) {
  run_counter counter;
  {
    periodic p(std::chrono::hours(24), [&] { counter.count(); });
  }
  EXPECT_EQ(counter.runs(), 0);  // destroyed long before its first run, and joined
}

}  // namespace
}  // namespace teapot::io
