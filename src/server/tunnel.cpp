#include "server/tunnel.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace teapot::srv {

tunnel_handoff::~tunnel_handoff() {
  if (fd >= 0) ::close(fd);
}

tunnel::tunnel(io::event_loop& loop, int fd, tunnel_carrier& carrier,
               std::chrono::milliseconds idle_timeout)
    : loop_(loop), fd_(fd), carrier_(carrier), idle_timeout_(idle_timeout) {
  try {
    loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  } catch (...) {
    ::close(fd_);  // the destructor of an object never made does not run
    throw;
  }
}

tunnel::~tunnel() {
  close();
}

void tunnel::close() noexcept {
  if (fd_ < 0) return;
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
}

tunnel::io_result tunnel::write_pending() {
  bool moved = false;
  while (to_dest_at < to_dest.size()) {
    const ssize_t n =
        ::send(fd_, to_dest.data() + to_dest_at, to_dest.size() - to_dest_at, MSG_NOSIGNAL);
    if (n > 0) {
      to_dest_at += static_cast<std::size_t>(n);
      to_dest_bytes += static_cast<std::uint64_t>(n);
      moved = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      // What was sent is dropped once it is half the buffer: a destination slower than the
      // client keeps some bytes waiting forever, and the buffer must not grow with the upload.
      if (to_dest_at * 2 >= to_dest.size()) {
        to_dest.erase(0, to_dest_at);
        to_dest_at = 0;
      }
      return moved ? io_result::moved : io_result::blocked;
    }
    return io_result::failed;
  }
  to_dest.clear();
  to_dest_at = 0;
  return moved ? io_result::moved : io_result::ended;
}

tunnel::io_result tunnel::read_into(std::string& out, std::size_t room) {
  constexpr std::size_t chunk = 64 * 1024;
  bool moved = false;
  while (room > 0) {
    const std::size_t want = room < chunk ? room : chunk;
    const std::size_t at = out.size();
    out.resize(at + want);
    const ssize_t n = ::read(fd_, out.data() + at, want);
    out.resize(at + (n > 0 ? static_cast<std::size_t>(n) : 0));
    if (n > 0) {
      room -= static_cast<std::size_t>(n);
      to_client_bytes += static_cast<std::uint64_t>(n);
      moved = true;
      continue;
    }
    if (n == 0) {
      dest_eof = true;
      return io_result::ended;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      dest_readable = false;
      return moved ? io_result::moved : io_result::blocked;
    }
    return io_result::failed;
  }
  return io_result::moved;
}

void tunnel::shut_write() noexcept {
  if (dest_shut || fd_ < 0) return;
  dest_shut = true;
  ::shutdown(fd_, SHUT_WR);
}

}  // namespace teapot::srv
