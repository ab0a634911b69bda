// A connection that has become HTTP/2 (h1_connection.h: ALPN h2, or the prior-knowledge
// preface on a plain connection): the socket's bytes go to the streams' session, its frames
// back to the socket through the same output queue and TLS stream as HTTP/1.1's responses.
// The connection keeps what belongs to the socket: the timers, its place in the worker's
// lists, the drain, the close.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "h1/serializer.h"
#include "h2/preface.h"
#include "http/field_lists.h"
#include "server/h1_connection.h"
#include "server/h1_exchange.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

// Frames taken from the session ahead of the socket, at most: past it the session keeps them
// (and its streams' content stays unpulled) until the socket has taken some.
constexpr std::size_t h2_output_window = 256 * 1024;
// Frames taken in one turn of the loop at most, when the client reads them as fast as they
// come: then the other connections of the worker get their turn (as HTTP/1.1's sending_turn).
constexpr std::size_t h2_sending_turn = 1024 * 1024;

// Fields of the HTTP/1.1 request that HTTP/2 has no place for (RFC 9113 §8.2.2), or that
// belong to the upgrade itself; Host becomes :authority.
bool stays_behind(std::string_view name) {
  for (std::string_view n : {"connection", "upgrade", "http2-settings", "host", "keep-alive",
                             "proxy-connection", "te", "transfer-encoding"})
    if (base::ascii::iequals(name, n)) return true;
  return false;
}

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
  if (worker_.counts_metrics()) worker_.metrics().count_h2_connection();
  phase_ = phase::h2;
  disarm();
  const std::string_view first = pending_input();
  h2_->set_early_input(early_until_ == bytes_read_ && early_until_ > 0);
  if (!h2_->feed(first).ok()) h2_ending_ = true;
  w.parser.reset();
  w.msg_begin = w.in_end = 0;
  w.head_since_ms = -1;
  if (h2_write()) h2_read();
}

// The h2c upgrade (RFC 7540 §3.2): an HTTP/1.1 request on a plain connection that asks for
// "Upgrade: h2c" with one HTTP2-Settings field (named in Connection) is answered 101, and then
// on stream 1 of an HTTP/2 session, as are the requests after it. Taken only with options.h2c
// and only for a request without content: one with content is answered over HTTP/1.1, which
// §3.2 allows (a server may ignore the Upgrade), rather than read whole before the switch.
// RFC 9113 removed the mechanism; curl --http2 on http: and other clients still send it.
bool h1_connection::try_h2c_upgrade() {
  h1_working_set& w = *ws_;
  const h1::request_head& h = w.parser.head();
  if (tls_ || !worker_.options().h2c || !h.upgrade || h.version_minor < 1 ||
      h.framing != h1::body_framing::none)
    return false;
  std::string_view settings;
  int settings_fields = 0;
  bool wants_h2c = false;
  bool settings_named = false;
  for (const header_field& f : h.fields) {
    if (base::ascii::iequals(f.name, "http2-settings")) {
      settings = f.value;
      ++settings_fields;
    } else if (base::ascii::iequals(f.name, "upgrade")) {
      wants_h2c = wants_h2c || http::list_has_token(f.value, "h2c");
    } else if (base::ascii::iequals(f.name, "connection")) {
      settings_named = settings_named || http::list_has_token(f.value, "http2-settings");
    }
  }
  if (!wants_h2c || settings_fields != 1 || !settings_named) return false;

  // The request as stream 1 sees it: names lower-case (RFC 9113 §8.2.1).
  std::vector<std::string> names;
  names.reserve(h.fields.size());
  std::vector<header_field> fields;
  fields.reserve(h.fields.size());
  for (const header_field& f : h.fields) {
    if (stays_behind(f.name)) continue;
    names.emplace_back(f.name);
    for (char& c : names.back())
      c = base::ascii::to_lower(c);
    fields.push_back({names.back(), f.value});
  }
  h2::request_head head;
  head.method = h.method;
  head.scheme = "http";
  head.authority = h1_exchange::authority_of(h);
  head.path = h.target;
  head.fields = fields;
  head.ends_stream = true;

  std::string& out = w.out.bytes();
  const std::size_t before = out.size();
  h1::append_interim_head(out, http::status::switching_protocols, [](auto&& emit) {
    emit("Connection", "Upgrade");
    emit("Upgrade", "h2c");
  });
  h2_ = std::make_unique<h2_streams>(worker_, *this, peer_, nullptr);
  phase_ = phase::h2;
  disarm();
  if (!h2_->upgrade(settings, head)) {
    // Settings that are not a SETTINGS payload: the Upgrade is not taken.
    out.resize(before);
    h2_.reset();
    phase_ = phase::head;
    return false;
  }
  if (worker_.counts_metrics()) worker_.metrics().count_h2_connection();
  // What followed the head is the client's connection preface, sent after the 101 (§3.2).
  const std::string_view rest(w.in.data() + w.msg_begin + w.head_len,
                              w.in_end - w.msg_begin - w.head_len);
  if (!rest.empty() && !h2_->feed(rest).ok()) h2_ending_ = true;
  w.parser.reset();
  w.msg_begin = w.in_end = w.head_len = 0;
  w.head_since_ms = -1;
  if (h2_write()) h2_read();
  return true;
}

void h1_connection::h2_on_io(std::uint32_t events) {
  if (events & EPOLLERR) return close_now();
  if ((events & EPOLLOUT) && !h2_write()) return;
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) || held_back_) h2_read();
}

// Never reads: the caller may be a stream's own code (a handler's 103, a deferred send), and
// input could close that stream under it. Input held back for a full socket resumes on
// EPOLLOUT.
void h1_connection::h2_output_ready() {
  if (phase_ != phase::h2) return;
  h2_write();
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
      const bool early = tls_ && tls_->last_read_early();
      if (early) early_until_ = bytes_read_;
      h2_->set_early_input(early);
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
    if (errno == EAGAIN) {
      // Frames answering early data wait for the handshake's end (RFC 8446 §2.3), which a
      // read that took the client's Finished may just have reached: no EPOLLOUT will say so.
      if (early_until_ > 0 && !w.out.empty()) h2_write();
      return;
    }
    return close_now();
  }
}

bool h1_connection::h2_write() {
  if (phase_ != phase::h2) return false;
  h1_working_set& w = *ws_;
  std::size_t taken = 0;
  for (;;) {
    const std::size_t backlog = w.out.memory_backlog();
    if (backlog < h2_output_window && h2_->wants_write()) {
      if (taken >= h2_sending_turn) {
        if (!h2_turn_posted_) {
          h2_turn_posted_ = true;
          if (!token_) token_ = std::make_shared<connection_token>(connection_token{this});
          worker_.loop().post([token = token_] {
            if (token->conn) token->conn->h2_next_turn();
          });
        }
        break;
      }
      const std::size_t before = w.out.bytes().size();
      h2_->take_output(w.out.bytes(), h2_output_window - backlog);
      taken += w.out.bytes().size() - before;
    }
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
  // GOAWAY is out), or a drain has seen its last stream: the connection ends, lingering as
  // HTTP/1.1's does, so that input still in flight cannot reset what was just written.
  if (h2_ending_ || (!h2_->wants_read() && !h2_->wants_write()) ||
      (draining_ && h2_->open_streams() == 0)) {
    end_after_flush();
    return false;
  }
  // Between streams the connection is idle, as an HTTP/1.1 one between requests: the clock
  // starts again after each request.
  const std::uint64_t seen = h2_->counters().requests + h2_->counters().rejected_requests;
  if (h2_->open_streams() == 0) {
    if (waiting_ != wait_for::idle || seen != h2_requests_seen_)
      arm(wait_for::idle, worker_.options().limits.keep_alive_timeout);
  } else if (waiting_ != wait_for::body) {
    // Streams are open: their content and their responses' windows are watched.
    const limits& lim = worker_.options().limits;
    arm(wait_for::body, h2_streams::sweep_interval(lim.body_timeout, lim.send_timeout));
  }
  h2_requests_seen_ = seen;
  return true;
}

// A later turn of the loop, outside any stream's call: the frames go on, and input held back
// while they piled up is read.
void h1_connection::h2_next_turn() {
  h2_turn_posted_ = false;
  if (h2_write() && held_back_ && ws_->out.memory_backlog() < h2_output_window) h2_read();
}

// idle: GOAWAY, then close (RFC 9113 §6.8: the client learns no stream was left behind).
// body: the streams whose content has not moved for body_timeout get 408, as an HTTP/1.1
// request would; the connection goes on. send: the client stopped reading.
void h1_connection::h2_on_timer() {
  switch (waiting_) {
    case wait_for::idle:
      h2_->go_away(h2::error_code::no_error);
      h2_write();
      if (phase_ == phase::h2) end_after_flush();
      return;
    case wait_for::body: {
      const limits& lim = worker_.options().limits;
      h2_->sweep(worker_.loop().now_ms(), lim.body_timeout, lim.send_timeout);
      set_waiting(wait_for::nothing);
      if (h2_write() && waiting_ == wait_for::nothing && h2_->open_streams() > 0)
        arm(wait_for::body, h2_streams::sweep_interval(lim.body_timeout, lim.send_timeout));
      return;
    }
    case wait_for::header:
    case wait_for::send:
    case wait_for::linger:
    case wait_for::nothing:
      return close_now();
  }
}

// Graceful stop (RFC 9113 §6.8): no new stream is taken, the ones in flight finish.
void h1_connection::h2_drain() {
  h2_->shutdown_notice();
  h2_->go_away(h2::error_code::no_error);
  h2_write();
}

}  // namespace teapot::srv
