#include "io/signals.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace teapot::io {
namespace {

using namespace std::chrono_literals;

TEST(signals, wait_returns_nothing_when_the_timeout_passes) {
  block_shutdown_signals();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_for_signal(50ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(signals, a_blocked_signal_waits_until_it_is_taken_and_is_named) {
  block_shutdown_signals();
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
    // raise() targets this thread, whose mask blocks sig: it stays pending instead of killing.
    ASSERT_EQ(::raise(sig), 0);
    EXPECT_EQ(wait_for_signal(5s), sig);
  }
  EXPECT_EQ(wait_for_signal(0ms), std::nullopt);  // each was taken once
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(SIGHUP), "SIGHUP");
  EXPECT_EQ(signal_name(SIGUSR1), "SIGUSR1");
}

TEST(signals, a_stop_request_wakes_an_endless_wait_at_once) {
  block_shutdown_signals();
  std::stop_source source;
  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(30ms);
    source.request_stop();
  });
  EXPECT_EQ(wait_for_signal(source.get_token()), std::nullopt);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(signals, sigpipe_is_ignored_after_blocking) {
  block_shutdown_signals();
  struct sigaction current {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &current), 0);
  EXPECT_EQ(current.sa_handler, SIG_IGN);
}

}  // namespace
}  // namespace teapot::io
