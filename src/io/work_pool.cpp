#include "io/work_pool.h"

#include <utility>

namespace teapot::io {

work_pool::work_pool(std::size_t threads) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

work_pool::~work_pool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    t.join();
}

void work_pool::submit(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(fn));
  }
  ready_.notify_one();
}

void work_pool::run() noexcept {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Work queued before the stop still runs: a reply it posts may be awaited by a drain.
      if (queue_.empty()) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      fn();
    } catch (...) {
    }
  }
}

}  // namespace teapot::io
