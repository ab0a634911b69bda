// One epoll event loop per worker thread. Knows sockets and time, nothing of HTTP.
// Thread contract: everything but post() and stop() is called on the loop's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "io/timer_wheel.h"

namespace teapot::io {

// Receives readiness for one file descriptor. Owned by the caller, who must remove() the fd
// before destroying it.
class fd_handler {
 public:
  virtual ~fd_handler() = default;
  // events: EPOLLIN / EPOLLOUT / EPOLLRDHUP / EPOLLHUP / EPOLLERR bits.
  virtual void on_io(std::uint32_t events) = 0;
};

class event_loop {
 public:
  // Throws std::system_error when epoll or eventfd cannot be created.
  event_loop();
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  // Edge-triggered registration (EPOLLET is added by the loop). add() and modify() throw
  // std::system_error when epoll_ctl fails. After remove(fd), no event still queued in the
  // current batch reaches the old handler, even when fd is reused by a new add() meanwhile:
  // a handler may close and delete other connections from on_io().
  void add(int fd, std::uint32_t events, fd_handler* h);
  void modify(int fd, std::uint32_t events, fd_handler* h);
  void remove(int fd) noexcept;

  // Timers: intrusive, at millisecond resolution (fired within one 8 ms slot of the
  // deadline), driven by this loop.
  void arm(timer& t, std::chrono::milliseconds delay) noexcept;
  void disarm(timer& t) noexcept;
  // Monotonic milliseconds, read once per loop iteration.
  std::int64_t now_ms() const noexcept { return now_ms_; }

  // From any thread: runs fn on the loop thread soon (in the next iteration). Callbacks
  // posted while the loop is not running wait for the next run() (or die with the loop).
  void post(std::function<void()> fn);
  // Runs until stop(). Handlers, posted callbacks and timers run inside. They should not
  // throw: an exception leaves run(), and the events still queued in that batch are lost,
  // which edge triggering does not repeat (the loop itself stays consistent and may run again).
  void run();
  // From any thread. The current iteration completes, including its after_batch hook, then
  // run() returns. A stop() before run() makes the next run() return at once.
  void stop() noexcept;
  // Called once per iteration after events and timers have run (for batched flushes).
  void set_after_batch(std::function<void()> fn) { after_batch_ = std::move(fn); }

 private:
  struct registration {
    fd_handler* handler = nullptr;
    std::uint32_t generation = 0;
  };
  void control(int op, int fd, std::uint32_t events, fd_handler* h);
  void dispatch(std::uint64_t data, std::uint32_t events);
  void wake() noexcept;
  void drain_posted();
  void read_clock() noexcept;

  int epfd_ = -1;
  int wakeup_fd_ = -1;  // eventfd for post() and stop()
  std::atomic<bool> stop_requested_{false};
  std::int64_t now_ms_ = 0;
  timer_wheel wheel_;
  // Indexed by fd. The generation travels in the epoll data beside the fd, so that an event
  // for a removed registration is recognised and dropped.
  std::vector<registration> registrations_;
  std::uint32_t next_generation_ = 1;
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;   // guarded by posted_mu_
  std::vector<std::function<void()>> running_;  // the batch being run, loop thread only
  std::function<void()> after_batch_;
};

}  // namespace teapot::io
