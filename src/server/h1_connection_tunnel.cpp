// A connection that a forward proxy's 200 to CONNECT, or an upstream's 101 relayed by the
// reverse proxy, made a tunnel (h1_connection.h, tunnel.h):
// the client's bytes go to the destination and the destination's to the client, through the
// same TLS stream and output queue as HTTP/1.1's responses. The connection keeps the timers,
// its place in the worker's lists, the drain and the close.
//
// Each way is bounded by tunnel_window: the side whose bytes wait is not read until the other
// has taken some. A FIN is passed on once what came before it is written, and the tunnel ends
// when both ways have ended: a half-close is honoured, as HAProxy and nginx's
// proxy_half_close do, rather than closing both at the first FIN as RFC 9110 §9.3.6 describes,
// which would cut the answer to a client that shuts its side after its last request. A reset
// or an error on either side closes both at once. A tunnel in which nothing moves for the
// proxy's tunnel_idle_timeout is closed, and so is one whose bytes one side has not taken
// for send_timeout.
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "server/h1_connection.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

// Rounds of passing bytes in one turn of the loop; then the other connections get their turn.
constexpr int tunnel_rounds_per_turn = 16;

}  // namespace

void h1_connection::become_tunnel() {
  h1_working_set& w = *ws_;
  served_any_ = true;
  const std::shared_ptr<tunnel_handoff> handoff = std::move(pending_tunnel_);
  tunnel_request_.assign(w.ex.req.method).append(" ").append(w.ex.req.target);
  w.ex.end();
  w.head_since_ms = -1;
  // Bytes that came behind the CONNECT's head are the client's first bytes for the destination.
  const std::size_t rest_at = w.msg_begin + w.head_len + w.body_in_buffer;
  std::string early(w.in.data() + rest_at, w.in_end - rest_at);
  w.parser.reset();
  w.msg_begin = w.in_end = w.head_len = w.body_in_buffer = 0;
  phase_ = phase::tunnel;
  disarm();
  try {
    tunnel_ =
        std::make_unique<tunnel>(worker_.loop(), handoff->take(), *this, handoff->idle_timeout);
  } catch (const std::exception& e) {
    worker_.log(log_level::error, std::string("forward proxy: the tunnel failed: ") + e.what());
    return close_now();
  }
  tunnel_->to_dest = std::move(early);
  w.out.bytes().append(handoff->from_destination);
  tunnel_pump();
}

void h1_connection::tunnel_on_io(std::uint32_t events) {
  if (events & EPOLLERR) return close_now();
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) tunnel_->client_readable = true;
  tunnel_pump();
}

void h1_connection::on_destination_io(std::uint32_t events) {
  if (phase_ != phase::tunnel) return;
  if (events & EPOLLERR) return close_now();
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) tunnel_->dest_readable = true;
  tunnel_pump();
}

void h1_connection::tunnel_pump() {
  for (int round = 0; phase_ == phase::tunnel; ++round) {
    if (round == tunnel_rounds_per_turn) {
      if (!token_) token_ = std::make_shared<connection_token>(connection_token{this});
      worker_.loop().post([token = token_] {
        if (token->conn) token->conn->tunnel_pump();
      });
      break;
    }
    if (!tunnel_pass()) break;
  }
  if (phase_ == phase::tunnel) tunnel_rearm();
}

// One round both ways. False when nothing moved (or the tunnel has ended).
bool h1_connection::tunnel_pass() {
  tunnel& t = *tunnel_;
  bool moved = false;
  if (t.pending() > 0) {
    switch (t.write_pending()) {
      case tunnel::io_result::moved:
        moved = true;
        break;
      case tunnel::io_result::failed:
        close_now();
        return false;
      case tunnel::io_result::blocked:  // the destination's EPOLLOUT goes on
      case tunnel::io_result::ended:
        break;
    }
  }
  if (t.client_eof && t.pending() == 0 && !t.dest_shut) {
    t.shut_write();
    moved = true;
  }
  if (!tunnel_to_client(moved) || !tunnel_from_client(moved)) return false;
  if (t.client_eof && t.dest_eof && t.client_shut && t.dest_shut) {
    close_now();
    return false;
  }
  return moved;
}

// The destination's bytes into the output queue, and the queue to the client. False when the
// tunnel has failed (and is closed).
bool h1_connection::tunnel_to_client(bool& moved) {
  tunnel& t = *tunnel_;
  h1_working_set& w = *ws_;
  if (!t.dest_eof && t.dest_readable && w.out.memory_backlog() < tunnel_window) {
    switch (t.read_into(w.out.bytes(), tunnel_window - w.out.memory_backlog())) {
      case tunnel::io_result::moved:
      case tunnel::io_result::ended:
        moved = true;
        break;
      case tunnel::io_result::failed:
        close_now();
        return false;
      case tunnel::io_result::blocked:
        break;
    }
  }
  if (!w.out.empty() || (tls_ && tls_->has_pending())) {
    const std::size_t before = w.out.memory_backlog();
    const output_queue::flush_result r = tls_ ? w.out.flush(fd_, *tls_) : w.out.flush(fd_);
    if (r == output_queue::flush_result::failed) {
      close_now();
      return false;
    }
    if (w.out.memory_backlog() < before) moved = true;
  }
  if (t.dest_eof && w.out.empty() && !t.client_shut) {
    t.client_shut = true;
    // RFC 8446 §6.1: over TLS the end of the data is a close_notify, then the FIN.
    if (tls_) tls_->close(fd_);
    ::shutdown(fd_, SHUT_WR);
    moved = true;
  }
  return true;
}

// The client's bytes into to_dest, written the next round. False when the client's side has
// failed (and the tunnel is closed).
bool h1_connection::tunnel_from_client(bool& moved) {
  tunnel& t = *tunnel_;
  h1_working_set& w = *ws_;
  if (t.client_eof || !t.client_readable || t.pending() >= tunnel_window) return true;
  const std::size_t room = std::min(w.in.size(), tunnel_window - t.pending());
  const ssize_t n = receive(w.in.data(), room);
  if (n > 0) {
    bytes_read_ += static_cast<std::uint64_t>(n);
    t.to_dest.append(w.in.data(), static_cast<std::size_t>(n));
    moved = true;
    return true;
  }
  if (n == 0) {
    t.client_eof = true;
    peer_eof_ = true;
    moved = true;
    return true;
  }
  if (errno == EINTR) {
    moved = true;
    return true;
  }
  if (errno == EAGAIN) {
    t.client_readable = false;
    return true;
  }
  close_now();
  return false;
}

// A side that does not take the bytes waiting for it is dropped after send_timeout, as a client
// that stops reading a response is; otherwise the tunnel's own idle clock runs.
void h1_connection::tunnel_rearm() {
  const bool stuck = !ws_->out.empty() || tunnel_->pending() > 0;
  if (stuck) return arm(wait_for::send, worker_.options().limits.send_timeout);
  set_waiting(wait_for::nothing);
  worker_.loop().arm(timer_, tunnel_->idle_timeout());
}

}  // namespace teapot::srv
