// A connection that a WebSocket route's 101 switched (h1_connection.h, ws_session.h): the
// socket's bytes go to the session, its frames back through the same output queue and TLS
// stream as HTTP/1.1's responses. The connection keeps the timers, its place in the worker's
// lists, the drain and the close.
#include <sys/epoll.h>

#include <cerrno>
#include <span>

#include "server/h1_connection.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

// Frames waiting for the socket past which the client's input is not read: a client that
// sends without reading the answers (pings, echoes) is paused, not buffered without end.
constexpr std::size_t ws_output_window = 256 * 1024;
// How long a Close sent by the server waits for the client's (RFC 6455 §7.1.1: the server
// closes the TCP connection once the handshake is done; a client that never answers is not
// waited for longer).
constexpr std::chrono::milliseconds close_wait{2000};

}  // namespace

void h1_connection::become_websocket() {
  h1_working_set& w = *ws_;
  served_any_ = true;
  std::shared_ptr<ws_upgrade> up = std::move(pending_upgrade_);
  w.ex.end();
  w.head_since_ms = -1;
  // Bytes that came behind the request's head are the client's first frames.
  const std::size_t rest_at = w.msg_begin + w.head_len + w.body_in_buffer;
  const std::size_t rest_end = w.in_end;
  w.parser.reset();
  phase_ = phase::websocket;
  disarm();
  websocket_ = std::make_shared<ws_session>(worker_, *this, std::move(up));
  websocket_->open();
  if (rest_at < rest_end && !websocket_->is_over())
    websocket_->feed(std::span<char>(w.in.data() + rest_at, rest_end - rest_at));
  w.msg_begin = w.in_end = w.head_len = w.body_in_buffer = 0;
  if (ws_write()) ws_read();
}

void h1_connection::ws_on_io(std::uint32_t events) {
  if (events & EPOLLERR) return close_now();
  if ((events & EPOLLOUT) && !ws_write()) return;
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) || held_back_) ws_read();
}

// Never reads: the caller may be another connection's handler (a message passed on), and
// input could end this session under it. Input held back for a full socket resumes on
// EPOLLOUT.
void h1_connection::ws_output_ready() {
  if (phase_ != phase::websocket) return;
  ws_write();
}

void h1_connection::ws_read() {
  h1_working_set& w = *ws_;
  held_back_ = false;
  while (phase_ == phase::websocket && !websocket_->is_over()) {
    if (w.out.memory_backlog() >= ws_output_window) {
      held_back_ = true;
      return;
    }
    const ssize_t n = receive(w.in.data(), w.in.size());
    if (n > 0) {
      bytes_read_ += static_cast<std::uint64_t>(n);
      websocket_->feed(std::span<char>(w.in.data(), static_cast<std::size_t>(n)));
      if (!ws_write()) return;
      continue;
    }
    if (n == 0) {
      // The client's TCP close without a Close frame: 1006 for the route (RFC 6455 §7.1.5).
      peer_eof_ = true;
      return close_now();
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    return close_now();
  }
}

bool h1_connection::ws_write() {
  if (phase_ != phase::websocket) return false;
  h1_working_set& w = *ws_;
  for (;;) {
    if (websocket_->wants_write()) websocket_->take_output(w.out.bytes());
    if (!w.out.empty() || (tls_ && tls_->has_pending())) {
      const output_queue::flush_result r = tls_ ? w.out.flush(fd_, *tls_) : w.out.flush(fd_);
      if (r == output_queue::flush_result::failed) {
        close_now();
        return false;
      }
      if (r == output_queue::flush_result::blocked) {
        arm(wait_for::send, worker_.options().limits.send_timeout);
        return true;
      }
    }
    if (websocket_->is_over()) {
      // The closing handshake is done (or the connection failed): the server closes first.
      end_after_flush();
      return false;
    }
    websocket_->output_drained();  // on_drain may send more
    if (!websocket_->wants_write()) break;
  }
  if (websocket_->is_closing()) {
    if (waiting_ != wait_for::linger) arm(wait_for::linger, close_wait);
  } else if (waiting_ != wait_for::nothing) {
    disarm();
  }
  return true;
}

// send: the client stopped reading; linger: it did not answer the server's Close.
void h1_connection::ws_on_timer() {
  close_now();
}

}  // namespace teapot::srv
