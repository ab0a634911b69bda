#include "server/destination_connect.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace teapot::srv {

destination_connect::destination_connect(io::event_loop& loop, std::chrono::milliseconds timeout,
                                         on_done done)
    : loop_(loop), timeout_(timeout), done_(std::move(done)) {
  timer_.set_callback([this] { finish(outcome::timed_out, "no connection in time"); });
}

destination_connect::~destination_connect() {
  loop_.disarm(timer_);
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
  }
}

void destination_connect::start(const sockaddr_storage& addr, socklen_t len) {
  fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return finish(outcome::refused, std::generic_category().message(errno));
  // A tunnel carries whatever the client speaks, often small interactive writes.
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0)
    return finish(outcome::connected, {});
  if (errno != EINPROGRESS) return finish(outcome::refused, std::generic_category().message(errno));
  loop_.add(fd_, EPOLLOUT | EPOLLRDHUP, this);
  loop_.arm(timer_, timeout_);
  self_ = shared_from_this();
}

void destination_connect::on_io(std::uint32_t events) {
  if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return finish(outcome::refused, std::generic_category().message(err));
  finish(outcome::connected, {});
}

void destination_connect::finish(outcome o, std::string_view why) {
  const std::shared_ptr<destination_connect> hold = std::move(self_);
  loop_.disarm(timer_);
  int fd = -1;
  if (fd_ >= 0) {
    loop_.remove(fd_);  // unregistered either way: the tunnel registers it anew
    if (o == outcome::connected)
      fd = fd_;
    else
      ::close(fd_);
    fd_ = -1;
  }
  on_done done = std::move(done_);
  if (done) done(o, fd, why);
}

}  // namespace teapot::srv
