#include "io/event_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace teapot::io {
namespace {

using namespace std::chrono_literals;

// Runs the loop on its own thread; stops and joins it at scope exit.
class loop_thread {
 public:
  explicit loop_thread(event_loop& loop) : loop_(loop), thread_([&] { loop_.run(); }) {}
  ~loop_thread() {
    loop_.stop();
    thread_.join();
  }

 private:
  event_loop& loop_;
  std::thread thread_;
};

struct socket_pair {
  socket_pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0); }
  ~socket_pair() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  int fds[2] = {-1, -1};
};

struct recording_handler : fd_handler {
  explicit recording_handler(std::function<void(std::uint32_t)> fn) : on_event(std::move(fn)) {}
  void on_io(std::uint32_t events) override { on_event(events); }
  std::function<void(std::uint32_t)> on_event;
};

TEST(event_loop, post_from_another_thread_wakes_the_loop_and_runs_on_its_thread) {
  event_loop loop;
  std::promise<std::thread::id> ran_on;
  std::promise<std::thread::id> loop_id;
  loop.post([&] { loop_id.set_value(std::this_thread::get_id()); });
  loop_thread runner(loop);
  const auto loop_thread_id = loop_id.get_future().get();
  std::this_thread::sleep_for(20ms);  // the loop is now blocked in epoll_wait with no timer
  std::thread([&] { loop.post([&] { ran_on.set_value(std::this_thread::get_id()); }); }).join();
  auto result = ran_on.get_future();
  ASSERT_EQ(result.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(result.get(), loop_thread_id);
}

TEST(event_loop, stop_from_another_thread_ends_run) {
  event_loop loop;
  std::promise<void> returned;
  std::thread runner([&] {
    loop.run();
    returned.set_value();
  });
  std::this_thread::sleep_for(20ms);
  loop.stop();
  auto done = returned.get_future();
  EXPECT_EQ(done.wait_for(5s), std::future_status::ready);
  runner.join();
}

TEST(event_loop, stop_before_run_makes_run_return_at_once_and_the_loop_reusable) {
  event_loop loop;
  loop.stop();
  loop.run();  // would hang if the stop were lost
  int calls = 0;
  loop.post([&] {
    ++calls;
    loop.stop();
  });
  loop.run();
  EXPECT_EQ(calls, 1);
}

TEST(event_loop, a_handler_gets_epollin_when_its_socket_becomes_readable) {
  event_loop loop;
  socket_pair pair;
  std::uint32_t seen = 0;
  char received = 0;
  recording_handler handler([&](std::uint32_t events) {
    seen = events;
    EXPECT_EQ(::read(pair.fds[0], &received, 1), 1);
    loop.stop();
  });
  loop.add(pair.fds[0], EPOLLIN | EPOLLRDHUP, &handler);
  std::thread writer([&] {
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(::write(pair.fds[1], "x", 1), 1);
  });
  loop.run();
  writer.join();
  EXPECT_TRUE(seen & EPOLLIN);
  EXPECT_EQ(received, 'x');
  loop.remove(pair.fds[0]);
}

TEST(event_loop, modify_switches_the_events_a_handler_waits_for) {
  event_loop loop;
  socket_pair pair;
  std::vector<std::uint32_t> seen;
  recording_handler handler([&](std::uint32_t events) {
    seen.push_back(events);
    loop.stop();
  });
  loop.add(pair.fds[0], EPOLLIN, &handler);
  loop.modify(pair.fds[0], EPOLLOUT, &handler);  // an empty socket is writable at once
  loop.run();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0] & EPOLLOUT);
  loop.remove(pair.fds[0]);
}

TEST(event_loop, an_fd_removed_during_a_batch_gets_no_more_events_from_it) {
  event_loop loop;
  socket_pair a;
  socket_pair b;
  int calls = 0;
  // Whichever runs first removes the other, which is ready in the same batch.
  recording_handler ha([&](std::uint32_t) {
    ++calls;
    loop.remove(b.fds[0]);
  });
  recording_handler hb([&](std::uint32_t) {
    ++calls;
    loop.remove(a.fds[0]);
  });
  loop.add(a.fds[0], EPOLLIN, &ha);
  loop.add(b.fds[0], EPOLLIN, &hb);
  ASSERT_EQ(::write(a.fds[1], "x", 1), 1);
  ASSERT_EQ(::write(b.fds[1], "y", 1), 1);
  loop.set_after_batch([&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(calls, 1);
}

TEST(event_loop, a_reused_fd_does_not_receive_the_stale_event_of_its_previous_owner) {
  event_loop loop;
  int fds_a[2];
  int fds_b[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_a), 0);
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_b), 0);
  int fresh[2] = {-1, -1};
  int old_fd = -1;
  int newcomer_calls = 0;
  recording_handler newcomer([&](std::uint32_t) { ++newcomer_calls; });
  // The first to run closes the other's socket and registers a fresh, idle one, which takes
  // the lowest free number: the one just closed, whose event is still queued in this batch.
  auto replace_other = [&](int* other) {
    if (old_fd >= 0) return;
    old_fd = other[0];
    loop.remove(other[0]);
    ::close(other[0]);
    other[0] = -1;
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fresh), 0);
    loop.add(fresh[0], EPOLLIN, &newcomer);
  };
  recording_handler ha([&](std::uint32_t) { replace_other(fds_b); });
  recording_handler hb([&](std::uint32_t) { replace_other(fds_a); });
  loop.add(fds_a[0], EPOLLIN, &ha);
  loop.add(fds_b[0], EPOLLIN, &hb);
  ASSERT_EQ(::write(fds_a[1], "x", 1), 1);
  ASSERT_EQ(::write(fds_b[1], "y", 1), 1);
  loop.set_after_batch([&] { loop.stop(); });
  loop.run();
  const bool reused = fresh[0] == old_fd;
  for (int fd : {fds_a[0], fds_a[1], fds_b[0], fds_b[1], fresh[0], fresh[1]}) {
    if (fd < 0) continue;
    loop.remove(fd);
    ::close(fd);
  }
  if (!reused) GTEST_SKIP() << "the kernel did not reuse the fd number";
  EXPECT_EQ(newcomer_calls, 0);
}

TEST(event_loop, timers_fire_in_deadline_order_and_not_before_their_delay) {
  event_loop loop;
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t start_ms = loop.now_ms();
  std::vector<int> order;
  std::vector<std::int64_t> elapsed;
  timer t30([&] {
    order.push_back(30);
    elapsed.push_back(loop.now_ms() - start_ms);
    loop.stop();
  });
  timer t10([&] {
    order.push_back(10);
    elapsed.push_back(loop.now_ms() - start_ms);
  });
  timer t20([&] {
    order.push_back(20);
    elapsed.push_back(loop.now_ms() - start_ms);
  });
  loop.arm(t30, 60ms);
  loop.arm(t10, 20ms);
  loop.arm(t20, 40ms);
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
  ASSERT_EQ(elapsed.size(), 3u);
  EXPECT_GE(elapsed[0], 20);
  EXPECT_GE(elapsed[1], 40);
  EXPECT_GE(elapsed[2], 60);
  // The loop counts whole milliseconds, so real time may be up to one short of the delay.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 59ms);
}

TEST(event_loop, a_disarmed_timer_does_not_fire) {
  event_loop loop;
  int calls = 0;
  timer cancelled([&] { ++calls; });
  timer finish([&] { loop.stop(); });
  loop.arm(cancelled, 10ms);
  loop.arm(finish, 40ms);
  loop.disarm(cancelled);
  loop.run();
  EXPECT_EQ(calls, 0);
}

TEST(event_loop, after_batch_runs_once_after_the_work_of_its_iteration) {
  event_loop loop;
  int batches = 0;
  std::vector<int> batches_seen_by_posted;
  for (int i = 0; i < 3; ++i)
    loop.post([&] { batches_seen_by_posted.push_back(batches); });
  loop.set_after_batch([&] {
    ++batches;
    if (batches_seen_by_posted.size() == 3) loop.stop();
  });
  loop.run();
  // The three posted callbacks ran in one iteration, before its after_batch hook.
  EXPECT_EQ(batches_seen_by_posted, (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(batches, 1);
}

TEST(event_loop, add_of_an_invalid_fd_throws) {
  event_loop loop;
  recording_handler handler([](std::uint32_t) {});
  EXPECT_THROW(loop.add(-1, EPOLLIN, &handler), std::system_error);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_THROW(loop.add(fds[0], EPOLLIN, &handler), std::system_error);
}

}  // namespace
}  // namespace teapot::io
