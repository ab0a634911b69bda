// A task run every period on a thread of its own, apart from the event loops: work of the
// whole server that must happen on time whatever the workers do (rotating the session ticket
// keys). The thread sleeps between runs; stop() wakes it, and it runs the task no more.
// Thread contract: stop() from any thread, the destructor from any thread but the task's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace teapot::io {

class periodic {
 public:
  // Runs task every period (above zero), the first time one period from now. An exception
  // from task is given to on_failure (on the periodic thread), and the runs go on.
  periodic(std::chrono::milliseconds period, std::function<void()> task,
           std::function<void(const char* what)> on_failure = {});
  // stop(), then joins the thread.
  ~periodic();
  periodic(const periodic&) = delete;
  periodic& operator=(const periodic&) = delete;

  // No run begins after this returns; a run under way finishes. Returns at once.
  void stop() noexcept;

 private:
  void run() noexcept;

  std::chrono::milliseconds period_;
  std::function<void()> task_;
  std::function<void(const char*)> on_failure_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: it starts once the members it reads are made
};

}  // namespace teapot::io
