// The blocking-work pool: work runs off the caller's thread, all of it, and the destructor
// runs what is still queued before it joins.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "io/work_pool.h"

namespace teapot::io {
namespace {

TEST(work_pool, runs_work_on_its_own_threads) {
  work_pool pool(2);
  std::promise<std::thread::id> ran_on;
  pool.submit([&] { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
}

TEST(work_pool, runs_every_queued_item_before_it_is_destroyed) {
  std::atomic<int> done{0};
  {
    work_pool pool(2);
    for (int i = 0; i < 100; ++i)
      pool.submit([&] {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        done.fetch_add(1);
      });
  }
  EXPECT_EQ(done.load(), 100);
}

TEST(work_pool, survives_work_that_throws) {
  std::atomic<int> done{0};
  {
    work_pool pool(1);
    pool.submit([] { throw std::runtime_error("failed work"); });
    pool.submit([&] { done.fetch_add(1); });
  }
  EXPECT_EQ(done.load(), 1);
}

TEST(work_pool, zero_threads_is_taken_as_one) {
  work_pool pool(0);
  EXPECT_EQ(pool.size(), 1u);
}

}  // namespace
}  // namespace teapot::io
