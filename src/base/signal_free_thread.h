// A thread that starts with every signal blocked, so that a signal the server waits for
// (SIGTERM, SIGHUP, on its signalfd) is never delivered to it, even when the thread starts
// before the server blocks them (a log opened, a proxy route built, while the configuration
// is loaded).
#pragma once

#include <pthread.h>
#include <signal.h>

#include <thread>
#include <utility>

namespace teapot::base {

template <class F>
std::thread signal_free_thread(F&& f) {
  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  try {
    std::thread t(std::forward<F>(f));
    ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
    return t;
  } catch (...) {
    ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
    throw;
  }
}

}  // namespace teapot::base
