#include "server/upstream_health.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
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
#include "tls/client_context.h"

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
                                 std::function<void(std::string_view)> log, SSL_CTX* tls)
    : upstreams_(std::move(upstreams)),
      check_(std::move(check)),
      log_(std::move(log)),
      tls_(tls),
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
  tls::ssl_ptr ssl;
  if (u.tls) {
    ssl = tls::make_client(tls_, fd, u.host);
    if (!ssl) {
      why = "TLS: cannot begin a handshake";
      return finish(outcome::failed);
    }
    for (;;) {
      ERR_clear_error();  // SSL_get_error reads the thread's queue: this call's errors only
      const int rc = SSL_do_handshake(ssl.get());
      if (rc == 1) break;
      const int e = SSL_get_error(ssl.get(), rc);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        why = tls::client_failure(ssl.get(), e);
        return finish(outcome::failed);
      }
      const short events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      if (const outcome o = wait(fd, events, deadline, why); o != outcome::passed) return finish(o);
    }
  }
  // > 0: bytes moved; 0: the socket would block (on events); -1: the connection failed.
  short events = 0;
  auto send_some = [&](const char* data, std::size_t size) -> ssize_t {
    events = POLLOUT;
    if (!ssl) {
      const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
      return n >= 0 ? n : (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    }
    ERR_clear_error();
    const int n = SSL_write(ssl.get(), data, static_cast<int>(size));
    if (n > 0) return n;
    const int e = SSL_get_error(ssl.get(), n);
    if (e == SSL_ERROR_WANT_READ) events = POLLIN;
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
  };
  auto receive_some = [&](char* buffer, std::size_t size) -> ssize_t {
    events = POLLIN;
    if (!ssl) {
      const ssize_t n = ::recv(fd, buffer, size, 0);
      return n > 0 ? n : n == 0 ? -1 : (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    }
    ERR_clear_error();
    const int n = SSL_read(ssl.get(), buffer, static_cast<int>(size));
    if (n > 0) return n;
    const int e = SSL_get_error(ssl.get(), n);
    if (e == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
  };
  // Host names the upstream as configured; the connection closes after the answer.
  const std::string request = "GET " + check_.path + " HTTP/1.1\r\nHost: " + u.authority +
                              "\r\nUser-Agent: teapot-health-check\r\nConnection: close\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = send_some(request.data() + sent, request.size() - sent);
    if (n < 0) {
      why = "the connection failed while the check was sent";
      return finish(outcome::failed);
    }
    sent += static_cast<std::size_t>(n);
    if (n == 0)
      if (const outcome o = wait(fd, events, deadline, why); o != outcome::passed) return finish(o);
  }
  std::string head;
  char buf[512];
  while (head.find('\n') == std::string::npos && head.size() < 1024) {
    const ssize_t n = receive_some(buf, sizeof buf);
    if (n < 0) {
      why = "closed before its status line";
      return finish(outcome::failed);
    }
    if (n == 0) {
      if (const outcome o = wait(fd, events, deadline, why); o != outcome::passed) return finish(o);
      continue;
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
