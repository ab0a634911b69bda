// A connection that has become HTTP/2 (h1_connection.h: ALPN h2, or the prior-knowledge
// preface on a plain connection): the socket's bytes go to the streams' session, its frames
// back to the socket through the same output queue and TLS stream as HTTP/1.1's responses.
// The connection keeps what belongs to the socket: the timers, its place in the worker's
// lists, the drain, the close.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "h2/preface.h"
#include "server/h1_connection.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

// Frames taken from the session ahead of the socket, at most: past it the session keeps them
// (and its streams' content stays unpulled) until the socket has taken some.
constexpr std::size_t h2_output_window = 256 * 1024;

}  // namespace

// RFC 9113 §3.3: over TLS, ALPN's "h2" says the connection is HTTP/2 (the session checks the
// preface itself; ALPN offers "h2" only with options.http2); without TLS, with options.h2c,
// the client's preface does, and only as a connection's first bytes. Elsewhere the preface is
// an HTTP/1.1 request line with an unknown version (505).
h1_connection::h2_start h1_connection::h2_check() const {
  if (h2_ || served_any_) return h2_start::no;
  if (tls_) return tls_->session().alpn() == "h2" ? h2_start::now : h2_start::no;
  if (!worker_.options().h2c) return h2_start::no;
  switch (h2::match_preface(pending_input())) {
    case h2::preface_match::yes:
      return h2_start::now;
    case h2::preface_match::need_more:
      return h2_start::wait;
    case h2::preface_match::no:
      return h2_start::no;
  }
  return h2_start::no;
}

void h1_connection::become_h2() {
  h1_working_set& w = *ws_;
  h2_ = std::make_unique<h2_streams>(worker_, *this, peer_, tls_ ? &tls_->session() : nullptr);
  phase_ = phase::h2;
  disarm();
  const std::string_view first = pending_input();
  if (!h2_->feed(first).ok()) h2_ending_ = true;
  w.parser.reset();
  w.msg_begin = w.in_end = 0;
  w.head_since_ms = -1;
  if (h2_write()) h2_read();
}

void h1_connection::h2_on_io(std::uint32_t events) {
  if (events & EPOLLERR) return close_now();
  if ((events & EPOLLOUT) && !h2_write()) return;
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) || held_back_) h2_read();
}

void h1_connection::h2_output_ready() {
  if (phase_ != phase::h2) return;
  if (h2_write() && held_back_) h2_read();
}

void h1_connection::h2_read() {
  h1_working_set& w = *ws_;
  held_back_ = false;
  while (phase_ == phase::h2 && !h2_ending_) {
    // Frames the client does not read stop its input: the session's answers (ACKs, heads,
    // content) would otherwise pile up without end.
    if (w.out.memory_backlog() >= h2_output_window) {
      held_back_ = true;
      return;
    }
    const ssize_t n = receive(w.in.data(), w.in.size());
    if (n > 0) {
      bytes_read_ += static_cast<std::uint64_t>(n);
      if (!h2_->feed(std::string_view(w.in.data(), static_cast<std::size_t>(n))).ok())
        h2_ending_ = true;
      if (!h2_write()) return;
      continue;
    }
    if (n == 0) {
      peer_eof_ = true;
      return close_now();
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    return close_now();
  }
}

bool h1_connection::h2_write() {
  if (phase_ != phase::h2) return false;
  h1_working_set& w = *ws_;
  for (;;) {
    const std::size_t backlog = w.out.memory_backlog();
    if (backlog < h2_output_window && h2_->wants_write())
      h2_->take_output(w.out.bytes(), h2_output_window - backlog);
    if (w.out.empty() && !(tls_ && tls_->has_pending())) break;
    const output_queue::flush_result r = tls_ ? w.out.flush(fd_, *tls_) : w.out.flush(fd_);
    if (r == output_queue::flush_result::failed) {
      close_now();
      return false;
    }
    if (r == output_queue::flush_result::blocked) {
      // The socket is full: on_io(EPOLLOUT) goes on, within send_timeout.
      arm(wait_for::send, worker_.options().limits.send_timeout);
      return true;
    }
    if (!h2_->wants_write()) break;
  }
  // The session is over (GOAWAY either way and no stream left, or a connection error whose
  // GOAWAY is out): the connection ends.
  if (h2_ending_ || (!h2_->wants_read() && !h2_->wants_write())) {
    close_now();
    return false;
  }
  // Between streams the connection is idle, as an HTTP/1.1 one between requests.
  if (h2_->open_streams() == 0) {
    if (draining_) {
      close_now();
      return false;
    }
    if (waiting_ != wait_for::idle)
      arm(wait_for::idle, worker_.options().limits.keep_alive_timeout);
  } else if (waiting_ != wait_for::nothing) {
    disarm();
  }
  return true;
}

// Graceful stop (RFC 9113 §6.8): no new stream is taken, the ones in flight finish.
void h1_connection::h2_drain() {
  h2_->shutdown_notice();
  h2_->go_away(h2::error_code::no_error);
  h2_write();
}

}  // namespace teapot::srv
