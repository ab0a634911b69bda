#include "server/upstream_health.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "base/ascii.h"
#include "base/monotonic_clock.h"
#include "base/signal_free_thread.h"

namespace teapot::srv {

namespace {

// Reads "HTTP/1.x DDD" at the start of a status line; 0 when it is not one.
int status_of(std::string_view head) {
  if (head.size() < 12 || !head.starts_with("HTTP/1.") || head[8] != ' ') return 0;
  int code = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (!base::ascii::is_digit(head[i])) return 0;
    code = code * 10 + (head[i] - '0');
  }
  return code;
}

}  // namespace

upstream_health::upstream_health(std::vector<upstream_address> upstreams, proxy_health_check check,
                                 std::function<void(std::string_view)> log)
    : upstreams_(std::move(upstreams)),
      check_(std::move(check)),
      log_(std::move(log)),
      in_(std::make_unique<std::atomic<bool>[]>(upstreams_.size())),
      streak_(upstreams_.size(), 0) {
  for (std::size_t i = 0; i < upstreams_.size(); ++i)
    in_[i].store(true);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = base::signal_free_thread([this] { run(); });
}

upstream_health::~upstream_health() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof one);
  thread_.join();
  ::close(stop_fd_);
}

upstream_health::outcome upstream_health::wait(int fd, short events, std::int64_t deadline_ms,
                                               std::string& why) {
  for (;;) {
    const std::int64_t left = deadline_ms - base::monotonic_ms();
    if (left <= 0 && fd >= 0) {
      why = "no answer within " + std::to_string(check_.timeout.count()) + " ms";
      return outcome::failed;
    }
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {fd, events, 0}};
    const int n = ::poll(fds, fd >= 0 ? 2 : 1, static_cast<int>(std::max<std::int64_t>(left, 0)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = std::generic_category().message(errno);
      return outcome::failed;
    }
    if (fds[0].revents != 0) return outcome::stopped;
    if (fd < 0) {
      if (n == 0) return outcome::passed;  // the interval is over
      continue;
    }
    if (fds[1].revents != 0) return outcome::passed;
  }
}

upstream_health::outcome upstream_health::probe(const upstream_address& u, std::string& why) {
  const std::int64_t deadline = base::monotonic_ms() + check_.timeout.count();
  const int fd = ::socket(u.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    why = std::generic_category().message(errno);
    return outcome::failed;
  }
  auto finish = [fd](outcome o) {
    ::close(fd);
    return o;
  };
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&u.addr), u.len) != 0 &&
      errno != EINPROGRESS) {
    why = std::generic_category().message(errno);
    return finish(outcome::failed);
  }
  if (const outcome o = wait(fd, POLLOUT, deadline, why); o != outcome::passed) return finish(o);
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    why = std::generic_category().message(err);
    return finish(outcome::failed);
  }
  // Host names the upstream as configured; the connection closes after the answer.
  const std::string request = "GET " + check_.path + " HTTP/1.1\r\nHost: " + u.name +
                              "\r\nUser-Agent: teapot-health-check\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (const outcome o = wait(fd, POLLOUT, deadline, why); o != outcome::passed)
        return finish(o);
    } else {
      why = std::generic_category().message(errno);
      return finish(outcome::failed);
    }
  }
  std::string head;
  char buf[512];
  while (head.find('\n') == std::string::npos && head.size() < 1024) {
    if (const outcome o = wait(fd, POLLIN, deadline, why); o != outcome::passed) return finish(o);
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      why = n == 0 ? "closed before its status line" : std::generic_category().message(errno);
      return finish(outcome::failed);
    }
    head.append(buf, static_cast<std::size_t>(n));
  }
  const int status = status_of(head);
  if (status >= 200 && status < 400) return finish(outcome::passed);
  why = status == 0 ? "no HTTP/1.1 status line" : "status " + std::to_string(status);
  return finish(outcome::failed);
}

void upstream_health::run() {
  for (;;) {
    for (std::size_t i = 0; i < upstreams_.size(); ++i) {
      std::string why;
      const outcome o = probe(upstreams_[i], why);
      if (o == outcome::stopped) return;
      const bool in = in_[i].load(std::memory_order_relaxed);
      const bool passed = o == outcome::passed;
      if (passed == in) {
        streak_[i] = 0;
        continue;
      }
      ++streak_[i];
      if (streak_[i] < (in ? check_.fails_to_leave : check_.passes_to_return)) continue;
      streak_[i] = 0;
      in_[i].store(passed, std::memory_order_relaxed);
      if (log_)
        log_(passed ? "proxy: " + upstreams_[i].name + " passes its health check again; back in"
                    : "proxy: " + upstreams_[i].name + " fails its health check (" + why +
                          "); left out until it passes");
    }
    std::string ignored;
    if (wait(-1, 0, base::monotonic_ms() + check_.interval.count(), ignored) == outcome::stopped)
      return;
  }
}

}  // namespace teapot::srv
