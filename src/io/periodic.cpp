#include "io/periodic.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace teapot::io {

periodic::periodic(std::chrono::milliseconds period, std::function<void()> task,
                   std::function<void(const char* what)> on_failure)
    : period_(period),
      task_(std::move(task)),
      on_failure_(std::move(on_failure)),
      thread_([this] { run(); }) {}

periodic::~periodic() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void periodic::stop() noexcept {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
}

// The next run is due one period after the last was due, not after it ended: runs do not
// drift later by their own length. A run late by more than a period is not made up twice.
void periodic::run() noexcept {
  auto due = std::chrono::steady_clock::now() + period_;
  std::unique_lock lock(mu_);
  for (;;) {
    if (wake_.wait_until(lock, due, [this] { return stopping_; })) return;
    lock.unlock();
    try {
      task_();
    } catch (const std::exception& e) {
      if (on_failure_) on_failure_(e.what());
    } catch (...) {
      if (on_failure_) on_failure_("unknown exception");
    }
    due = std::max(due + period_, std::chrono::steady_clock::now());
    lock.lock();
  }
}

}  // namespace teapot::io
