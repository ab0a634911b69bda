// One epoll event loop per worker thread. Knows sockets and time, nothing of HTTP.
// Thread contract: everything but post() and stop() is called on the loop's own thread.
#pragma once

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
  event_loop();
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  // Edge-triggered registration (EPOLLET is added by the loop).
  void add(int fd, std::uint32_t events, fd_handler* h);
  void modify(int fd, std::uint32_t events, fd_handler* h);
  void remove(int fd) noexcept;

  // Timers: intrusive, at millisecond resolution, driven by this loop.
  void arm(timer& t, std::chrono::milliseconds delay) noexcept;
  void disarm(timer& t) noexcept;
  // Monotonic milliseconds, read once per loop iteration.
  std::int64_t now_ms() const noexcept { return now_ms_; }

  // From any thread: runs fn on the loop thread soon.
  void post(std::function<void()> fn);
  // Runs until stop(). Handlers and timers run inside.
  void run();
  // From any thread.
  void stop() noexcept;
  // Called once per iteration after events and timers have run (for batched flushes).
  void set_after_batch(std::function<void()> fn) { after_batch_ = std::move(fn); }

 private:
  void drain_posted();
  int epfd_ = -1;
  int wakeup_fd_ = -1;  // eventfd for post() and stop()
  bool running_ = false;
  std::int64_t now_ms_ = 0;
  timer_wheel wheel_;
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;
  std::function<void()> after_batch_;
};

}  // namespace teapot::io
