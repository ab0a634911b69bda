#include "server/h2_ws_tunnel.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace teapot::srv {

namespace {

// Frames waiting past which the client's input is held back, as on HTTP/1.1 (256 KiB there,
// where the socket's own buffer adds to it).
constexpr std::size_t output_window = 256 * 1024;

}  // namespace

h2_ws_tunnel::h2_ws_tunnel(worker& w, std::shared_ptr<ws_upgrade> upgrade,
                           std::function<void()> wake)
    : session_(std::make_shared<ws_session>(w, *this, std::move(upgrade))),
      wake_(std::move(wake)) {}

h2_ws_tunnel::~h2_ws_tunnel() {
  gone();
}

void h2_ws_tunnel::open() {
  session_->open();
}

std::size_t h2_ws_tunnel::feed(std::string_view bytes) {
  if (session_->is_over()) return bytes.size() + std::exchange(held_, 0);  // nobody reads it
  in_.assign(bytes);
  session_->feed(std::span<char>(in_.data(), in_.size()));
  compact();
  if (session_->wants_write()) session_->take_output(out_);
  held_ += bytes.size();
  return take_releasable();
}

void h2_ws_tunnel::client_ended() noexcept {
  client_ended_ = true;
  session_->gone();
}

std::size_t h2_ws_tunnel::take_releasable() noexcept {
  if (backlog() >= output_window) return 0;
  return std::exchange(held_, 0);
}

// What the client took is dropped once it is half the buffer: a client that never quite
// catches up (pings answered while its window opens slowly) must not make the buffer grow.
void h2_ws_tunnel::compact() noexcept {
  if (out_at_ > 0 && out_at_ * 2 >= out_.size()) {
    out_.erase(0, out_at_);
    out_at_ = 0;
  }
}

h2::pull_result h2_ws_tunnel::pull(std::span<char> buffer) {
  compact();
  if (out_at_ == out_.size()) {
    out_.clear();
    out_at_ = 0;
    if (session_->wants_write()) session_->take_output(out_);
  }
  if (out_.empty()) {
    if (session_->is_over() || client_ended_) return {0, h2::pull_state::ended};
    session_->output_drained();  // on_drain may send more
    if (!session_->wants_write()) return {0, h2::pull_state::wait};
    session_->take_output(out_);
  }
  const std::size_t n = std::min(buffer.size(), backlog());
  std::memcpy(buffer.data(), out_.data() + out_at_, n);
  out_at_ += n;
  return {n, h2::pull_state::more};
}

void h2_ws_tunnel::go_away() {
  session_->go_away();
  wake_();
}

void h2_ws_tunnel::gone() noexcept {
  session_->gone();
}

}  // namespace teapot::srv
