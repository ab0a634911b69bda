// The blocking-work pool: a few threads for what must not run on an event loop (disk syncs,
// password hashes, compression of large bodies, tree walks). Work is queued in order and run by
// the first free thread; it reports back by posting to a loop (event_loop::post).
// Thread contract: submit() from any thread. The destructor runs the work still queued, then
// joins the threads: destroy the pool before the loops its work posts to.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace teapot::io {

class work_pool {
 public:
  // threads == 0 is taken as 1.
  explicit work_pool(std::size_t threads);
  ~work_pool();
  work_pool(const work_pool&) = delete;
  work_pool& operator=(const work_pool&) = delete;

  // Queues fn. An exception that escapes fn is swallowed (the pool's threads must survive it):
  // work reports its own failures.
  void submit(std::function<void()> fn);
  std::size_t size() const noexcept { return threads_.size(); }

 private:
  void run() noexcept;

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace teapot::io
