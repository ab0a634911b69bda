#include "io/signals.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <system_error>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace teapot::io {

namespace {

sigset_t shutdown_set() noexcept {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  return set;
}

[[noreturn]] void throw_errno(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Closes an fd at scope exit.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

int poll_timeout(std::chrono::milliseconds timeout, std::chrono::steady_clock::time_point end) {
  if (timeout.count() < 0) return -1;
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

}  // namespace

void block_shutdown_signals() {
  const sigset_t set = shutdown_set();
  if (const int rc = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) {
    throw_errno(rc, "pthread_sigmask");
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  if (::sigaction(SIGPIPE, &ignore, nullptr) < 0) throw_errno(errno, "sigaction(SIGPIPE)");
}

// A signalfd for the signals and an eventfd for the stop request, polled together: the stop
// wakes the wait at once, with no signal borrowed for it.
std::optional<int> wait_for_signal(const std::stop_token& stop, std::chrono::milliseconds timeout) {
  const sigset_t set = shutdown_set();
  fd_guard signals{::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)};
  if (signals.fd < 0) throw_errno(errno, "signalfd");
  fd_guard stopped{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
  if (stopped.fd < 0) throw_errno(errno, "eventfd");
  std::stop_callback on_stop(stop, [fd = stopped.fd] {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(fd, &one, sizeof one);
  });
  const auto end = std::chrono::steady_clock::now() + std::max(timeout, timeout.zero());
  for (;;) {
    if (stop.stop_requested()) return std::nullopt;
    pollfd fds[2] = {{signals.fd, POLLIN, 0}, {stopped.fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, poll_timeout(timeout, end));
    if (n < 0 && errno != EINTR) throw_errno(errno, "poll");
    if (n == 0 && std::chrono::steady_clock::now() >= end) return std::nullopt;
    signalfd_siginfo info{};
    if (::read(signals.fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      return static_cast<int>(info.ssi_signo);
    }
  }
}

std::optional<int> wait_for_signal(std::chrono::milliseconds timeout) {
  return wait_for_signal(std::stop_token{}, timeout);
}

std::string_view signal_name(int signal_number) noexcept {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "signal";
  }
}

}  // namespace teapot::io
