#include "server/upstream_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace teapot::srv {

namespace {

// Open and silent: the upstream neither closed it nor sent anything while it was idle (bytes
// that no request asked for would be taken as the next response's; over TLS, a close_notify or
// a record the next read would find, which costs a new connection at most).
bool still_open(int fd) {
  char c = 0;
  const ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

upstream_pool::upstream_pool(std::size_t upstreams, std::size_t keep,
                             std::chrono::milliseconds idle_timeout)
    : idle_(upstreams), keep_(keep), idle_timeout_ms_(idle_timeout.count()) {}

upstream_pool::~upstream_pool() {
  for (auto& list : idle_)
    for (idle_connection& c : list) {
      c.c.ssl.reset();
      ::close(c.c.fd);
    }
}

void upstream_pool::close_expired(std::deque<idle_connection>& list, std::int64_t now_ms) {
  while (!list.empty() && now_ms - list.front().since_ms >= idle_timeout_ms_) {
    list.front().c.ssl.reset();
    ::close(list.front().c.fd);
    list.pop_front();
  }
}

upstream_connection upstream_pool::take(std::size_t upstream, std::int64_t now_ms) {
  std::deque<idle_connection>& list = idle_[upstream];
  close_expired(list, now_ms);
  while (!list.empty()) {
    upstream_connection c = std::move(list.back().c);
    list.pop_back();
    if (still_open(c.fd)) return c;
    c.ssl.reset();
    ::close(c.fd);
  }
  return {};
}

void upstream_pool::put(std::size_t upstream, upstream_connection c, std::int64_t now_ms) {
  std::deque<idle_connection>& list = idle_[upstream];
  close_expired(list, now_ms);
  if (keep_ == 0) {
    c.ssl.reset();
    ::close(c.fd);
    return;
  }
  if (list.size() >= keep_) {
    list.front().c.ssl.reset();
    ::close(list.front().c.fd);
    list.pop_front();
  }
  list.push_back({std::move(c), now_ms});
}

}  // namespace teapot::srv
