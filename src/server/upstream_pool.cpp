#include "server/upstream_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace teapot::srv {

namespace {

// Open and silent: the upstream neither closed it nor sent anything while it was idle (bytes
// that no request asked for would be taken as the next response's).
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
  for (const auto& list : idle_)
    for (const idle_connection& c : list)
      ::close(c.fd);
}

void upstream_pool::close_expired(std::deque<idle_connection>& list, std::int64_t now_ms) {
  while (!list.empty() && now_ms - list.front().since_ms >= idle_timeout_ms_) {
    ::close(list.front().fd);
    list.pop_front();
  }
}

int upstream_pool::take(std::size_t upstream, std::int64_t now_ms) {
  std::deque<idle_connection>& list = idle_[upstream];
  close_expired(list, now_ms);
  while (!list.empty()) {
    const int fd = list.back().fd;
    list.pop_back();
    if (still_open(fd)) return fd;
    ::close(fd);
  }
  return -1;
}

void upstream_pool::put(std::size_t upstream, int fd, std::int64_t now_ms) {
  std::deque<idle_connection>& list = idle_[upstream];
  close_expired(list, now_ms);
  if (keep_ == 0) {
    ::close(fd);
    return;
  }
  if (list.size() >= keep_) {
    ::close(list.front().fd);
    list.pop_front();
  }
  list.push_back({fd, now_ms});
}

}  // namespace teapot::srv
