#include "base/thread_caches.h"

#include <gtest/gtest.h>

#include <thread>

namespace teapot::base {
namespace {

thread_local int releases = 0;

void count_release() noexcept {
  ++releases;
}

TEST(thread_caches, a_function_registered_twice_runs_once_per_release) {
  releases = 0;
  on_release_thread_caches(count_release);
  on_release_thread_caches(count_release);
  release_thread_caches();
  EXPECT_EQ(releases, 1);
  release_thread_caches();
  EXPECT_EQ(releases, 2);
}

TEST(thread_caches, a_release_runs_only_what_its_own_thread_registered) {
  int on_other_thread = -1;
  std::thread other([&] {
    release_thread_caches();  // this thread registered nothing
    on_other_thread = releases;
  });
  other.join();
  EXPECT_EQ(on_other_thread, 0);
}

}  // namespace
}  // namespace teapot::base
