#include "server/h2_connect_tunnel.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "server/worker.h"

namespace teapot::srv {

h2_connect_tunnel::h2_connect_tunnel(worker& w, const std::shared_ptr<tunnel_handoff>& handoff,
                                     std::function<void()> wake, std::function<void()> fail)
    : worker_(w),
      wake_(std::move(wake)),
      fail_(std::move(fail)),
      idle_timeout_(handoff->idle_timeout) {
  socket_ = std::make_unique<tunnel>(w.loop(), handoff->take(), *this, handoff->idle_timeout);
  from_dest_ = std::move(handoff->from_destination);
  idle_.set_callback([this] {
    worker_.log(log_level::info, "forward proxy: an HTTP/2 tunnel idle too long is reset");
    failed();
  });
  moved();
}

h2_connect_tunnel::~h2_connect_tunnel() {
  gone();
}

void h2_connect_tunnel::moved() {
  if (!failed_) worker_.loop().arm(idle_, idle_timeout_);
}

void h2_connect_tunnel::failed() {
  if (failed_) return;
  failed_ = true;
  worker_.loop().disarm(idle_);
  socket_->close();
  // Posted: the stream is reset from the loop, never from inside the session's callbacks.
  worker_.loop().post([fail = fail_] { fail(); });
}

std::size_t h2_connect_tunnel::feed(std::string_view bytes) {
  if (failed_) return bytes.size() + std::exchange(held_, 0);  // nobody reads it
  socket_->to_dest.append(bytes);
  held_ += bytes.size();
  moved();
  if (socket_->write_pending() == tunnel::io_result::failed) {
    failed();
    return std::exchange(held_, 0);
  }
  return take_releasable();
}

void h2_connect_tunnel::client_ended() noexcept {
  client_ended_ = true;
  if (!failed_ && socket_->pending() == 0) socket_->shut_write();
}

std::size_t h2_connect_tunnel::take_releasable() noexcept {
  if (socket_->pending() >= tunnel_window) return 0;
  return std::exchange(held_, 0);
}

h2::pull_result h2_connect_tunnel::pull(std::span<char> buffer) {
  if (failed_) return {0, h2::pull_state::wait};  // the stream is about to be reset
  if (from_at_ == from_dest_.size()) {
    from_dest_.clear();
    from_at_ = 0;
    if (!socket_->dest_eof && socket_->dest_readable) {
      // Only what the client's window takes now: the rest stays in the socket, whose own
      // window then holds the destination back.
      if (socket_->read_into(from_dest_, std::min(buffer.size(), tunnel_window)) ==
          tunnel::io_result::failed) {
        failed();
        return {0, h2::pull_state::wait};
      }
    }
  }
  if (from_at_ == from_dest_.size())
    return {0, socket_->dest_eof ? h2::pull_state::ended : h2::pull_state::wait};
  const std::size_t n = std::min(buffer.size(), from_dest_.size() - from_at_);
  std::memcpy(buffer.data(), from_dest_.data() + from_at_, n);
  from_at_ += n;
  moved();
  return {n, h2::pull_state::more};
}

void h2_connect_tunnel::on_destination_io(std::uint32_t events) {
  if (failed_) return;
  if (events & EPOLLERR) return failed();
  bool woke = false;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
    socket_->dest_readable = true;
    woke = true;
  }
  if ((events & EPOLLOUT) && socket_->pending() > 0) {
    if (socket_->write_pending() == tunnel::io_result::failed) return failed();
    woke = woke || held_ > 0;  // the client's window may open again
    if (client_ended_ && socket_->pending() == 0) socket_->shut_write();
  }
  if (woke) wake_();
}

void h2_connect_tunnel::gone() noexcept {
  worker_.loop().disarm(idle_);
  if (socket_) socket_->close();
}

}  // namespace teapot::srv
