#include "server/h1_connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/monotonic_clock.h"
#include "h1/rejected_head.h"
#include "h1/serializer.h"
#include "server/h1_exchange.h"
#include "server/pipeline.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

constexpr std::size_t initial_buffer = 16 * 1024;
// Output beyond this stops the reading of pipelined requests until the peer catches up.
constexpr std::size_t output_high_water = 256 * 1024;
// Files of pipelined responses open at once on one connection; more wait for the output.
constexpr std::size_t max_files_in_flight = 8;
// Content pulled from a source in one turn of the loop at most, when the client takes it as
// fast as it comes: then the other connections of the worker get their turn.
constexpr std::size_t sending_turn = 1024 * 1024;
// How long a closing connection keeps reading (and discarding) so that its last response is
// not destroyed by a reset (RFC 9112 §9.6).
constexpr std::chrono::milliseconds linger_time{2000};

// How one connection's handshake ended, for the metrics.
tls_counts handshake_outcome(const tls::session& s) {
  tls_counts c;
  if (s.failed())
    c.failed = 1;
  else if (!s.handshake_done())
    c.incomplete = 1;
  else if (s.resumed())
    c.resumed = 1;
  else
    c.full = 1;
  switch (s.early_data()) {
    case tls::early_data_state::accepted:
      c.early_accepted = 1;
      break;
    case tls::early_data_state::rejected:
      c.early_rejected = 1;
      break;
    case tls::early_data_state::none:
      break;
  }
  return c;
}

}  // namespace

h1_working_set::h1_working_set(worker& w)
    : in(initial_buffer), parser(w.parser_config()), chunked(w.parser_config()), ex(w) {}

void h1_working_set::clear() noexcept {
  msg_begin = in_end = head_len = body_in_buffer = 0;
  body_left = 0;
  body_since_ms = hold_since_ms = 0;
  head_since_ms = -1;
  body_bytes = 0;
  parser.reset();
  chunked.reset();
  out.clear();
  out.trim();
  // A buffer grown for a large head goes back to the common size.
  if (in.size() != initial_buffer) {
    in.resize(initial_buffer);
    in.shrink_to_fit();
  }
  stream.stop();
  outgoing.cancel();
  ex.req = request{};
  ex.body.clear();
  if (ex.body.capacity() > initial_buffer) std::string().swap(ex.body);
}

h1_connection::h1_connection(worker& w, int fd, std::string peer, const address_key& peer_key,
                             const std::shared_ptr<const tls::context_set>& tls)
    : worker_(w), fd_(fd), peer_(std::move(peer)), peer_key_(peer_key) {
  if (tls) tls_ = std::make_unique<tls_stream>(tls);
  timer_.set_callback([this] { on_timer(); });
}

h1_connection::~h1_connection() {
  if (token_) token_->conn = nullptr;
  release_working_set();
  if (fd_ >= 0) ::close(fd_);
}

void h1_connection::start() {
  worker_.loop().add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  // A client that connects and says nothing is treated like an idle keep-alive connection.
  arm(wait_for::header, worker_.options().limits.header_timeout);
}

bool h1_connection::is_idle() const noexcept {
  if (phase_ == phase::h2) return h2_->open_streams() == 0 && ws_->out.empty();
  if (phase_ == phase::websocket || phase_ == phase::tunnel) return false;
  return phase_ == phase::head && (!ws_ || (ws_->msg_begin == ws_->in_end && ws_->out.empty()));
}

bool h1_connection::bind_working_set() {
  if (!ws_) ws_ = worker_.take_working_set();
  return ws_ != nullptr;
}

// Between requests, with nothing queued, the working set goes back to the worker.
void h1_connection::release_if_idle() noexcept {
  if (!ws_ || phase_ != phase::head || ws_->msg_begin != ws_->in_end || !ws_->out.empty()) return;
  release_working_set();
}

// The working set goes back to the worker, unless a deferred handle of an abandoned exchange
// may still read the request's views in it (perhaps on another thread): then it stays alive
// with that handle, and never comes back to the pool.
void h1_connection::release_working_set() noexcept {
  if (!ws_) return;
  ws_->stream.stop();  // its callbacks may hold handles
  ws_->outgoing.cancel();
  ws_->out.clear();
  ws_->ex.end();
  std::shared_ptr<deferral> abandoned = ws_->ex.take_abandoned();
  if (abandoned && abandoned.use_count() > 1)
    abandoned->keep(std::shared_ptr<h1_working_set>(std::move(ws_)));
  else
    worker_.give_back(std::move(ws_));
}

std::string_view h1_connection::pending_input() const noexcept {
  if (!ws_) return {};
  return {ws_->in.data() + ws_->msg_begin, ws_->in_end - ws_->msg_begin};
}

// Nothing but empty lines (which RFC 9112 §2.2 lets a server skip) is no request yet.
bool h1_connection::has_request_bytes() const noexcept {
  return pending_input().find_first_not_of("\r\n") != std::string_view::npos;
}

// The timer that fits what the connection waits for now, once no output is stuck.
void h1_connection::rearm_for_input() {
  const auto& lim = worker_.options().limits;
  switch (phase_) {
    case phase::head:
      // A TLS handshake still going is a request's beginning: header_timeout bounds it.
      if (has_request_bytes() || (tls_ && !tls_->session().handshake_done()))
        arm(wait_for::header, lim.header_timeout);
      else if (keep_alive_ && !close_after_flush_)
        arm(wait_for::idle, lim.keep_alive_timeout);
      return;
    case phase::body:
      return arm_body_wait();
    case phase::handling:
    case phase::sending:
      return disarm();
    case phase::lingering:
    case phase::closed:
    case phase::tunnel:  // its output has drained: the tunnel's idle clock, unless it is stuck
      return tunnel_rearm();
    case phase::h2:         // h2_write() keeps the h2 timers
    case phase::websocket:  // and ws_write() the WebSocket ones
      return;
  }
}

void h1_connection::begin_drain() {
  draining_ = true;
  keep_alive_ = false;
  if (is_idle()) return close_now();
  if (phase_ == phase::h2) h2_drain();
  if (phase_ == phase::websocket) {
    websocket_->go_away();
    ws_write();
  }
}

void h1_connection::on_io(std::uint32_t events) {
  if (phase_ == phase::h2) return h2_on_io(events);
  if (phase_ == phase::websocket) return ws_on_io(events);
  if (phase_ == phase::tunnel) return tunnel_on_io(events);
  if (events & EPOLLERR) return close_now();
  if (events & (EPOLLRDHUP | EPOLLHUP)) hangup_seen_ = true;
  if ((events & EPOLLOUT) && (ws_ || tls_) && !flush()) return;
  // Input that arrives meanwhile waits: the stream's end takes it up.
  if (phase_ == phase::sending) {
    if (has_left_while_waiting()) return close_now();
    return continue_sending();
  }
  // Input held back while the output was over its mark is read once the output has drained.
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) || (held_back_ && is_output_low()))
    read_input();
  else
    release_if_idle();
}

void h1_connection::arm(wait_for w, std::chrono::milliseconds delay) {
  set_waiting(w);
  worker_.loop().arm(timer_, delay);
}

void h1_connection::disarm() noexcept {
  worker_.loop().disarm(timer_);
  set_waiting(wait_for::nothing);
}

// Waiting for a request (idle, or for the rest of a head) is what puts the connection in its
// worker's queue; going from idle to header keeps its place there.
void h1_connection::set_waiting(wait_for w) noexcept {
  const auto for_request = [](wait_for x) { return x == wait_for::idle || x == wait_for::header; };
  if (for_request(w) && !for_request(waiting_))
    worker_.queue_waiting(this);
  else if (!for_request(w) && for_request(waiting_))
    worker_.unqueue_waiting(this);
  waiting_ = w;
}

void h1_connection::give_way() {
  if (phase_ == phase::head && has_request_bytes()) reject_with(http::status::request_timeout);
  close_now();
}

void h1_connection::begin_body_clock() noexcept {
  ws_->body_since_ms = worker_.loop().now_ms();
  ws_->body_bytes = 0;
}

// The body's next deadline: body_timeout from now, or sooner when by then the content would
// have come slower on average than body_min_rate. The body may take body_timeout, plus a
// second for each body_min_rate bytes received.
void h1_connection::arm_body_wait() {
  const limits& lim = worker_.options().limits;
  std::chrono::milliseconds wait = lim.body_timeout;
  if (lim.body_min_rate > 0) {
    const std::uint64_t rate = lim.body_min_rate;
    const std::uint64_t bytes = ws_->body_bytes;
    // A day at most: the sum below cannot overflow, and no body waits that long for a byte.
    const std::uint64_t earned_ms =
        std::min<std::uint64_t>(bytes / rate, 86'400) * 1000 + (bytes % rate) * 1000 / rate;
    const std::int64_t deadline =
        ws_->body_since_ms + lim.body_timeout.count() + static_cast<std::int64_t>(earned_ms);
    const std::int64_t left = deadline - worker_.loop().now_ms();
    wait = std::min(wait, std::chrono::milliseconds(std::max<std::int64_t>(left, 0)));
  }
  arm(wait_for::body, wait);
}

void h1_connection::on_timer() {
  if (phase_ == phase::h2) return h2_on_timer();
  if (phase_ == phase::websocket) return ws_on_timer();
  if (phase_ == phase::tunnel) return close_now();  // idle, or a side that stopped reading
  switch (waiting_) {
    case wait_for::header:
      // Nothing of a request yet: close silently, as for an idle connection.
      if (phase_ == phase::head && !has_request_bytes()) return close_now();
      return reject_with(http::status::request_timeout);
    case wait_for::body:
      if (ws_) ws_->stream.fail(body_error::timeout);
      return reject_with(http::status::request_timeout);
    case wait_for::idle:
    case wait_for::linger:
    case wait_for::send:  // the client stopped reading
    case wait_for::nothing:
      return close_now();
  }
}

bool h1_connection::is_output_low() const noexcept {
  return !ws_ || (ws_->out.memory_backlog() <= output_high_water &&
                  ws_->out.file_parts() < max_files_in_flight);
}

bool h1_connection::ensure_space() {
  h1_working_set& w = *ws_;
  if (w.in_end < w.in.size()) return true;
  if (phase_ == phase::head && w.msg_begin > 0) {
    // No view into the buffer is alive between messages: the partial head can move.
    std::memmove(w.in.data(), w.in.data() + w.msg_begin, w.in_end - w.msg_begin);
    w.in_end -= w.msg_begin;
    w.msg_begin = 0;
    return true;
  }
  const auto& lim = worker_.options().limits;
  const std::size_t cap = lim.request_line + lim.header_section + initial_buffer;
  if (w.in.size() >= cap) return false;
  w.in.resize(std::min(cap, w.in.size() * 2));
  // The buffer moved: a head being answered must point into the new one.
  if (phase_ == phase::body) rebind_head();
  return true;
}

// Rebuilds every view of the current exchange after the input buffer moved: the head is
// parsed again from the same bytes (its result cannot differ), then the request's views and
// the route's parameters. The pipeline does not run again: it has decided already.
void h1_connection::rebind_head() {
  h1_working_set& w = *ws_;
  w.parser.reset();
  [[maybe_unused]] h1::parse_result r = w.parser.parse(pending_input());
  const h1::request_head& h = w.parser.head();
  w.ex.bind(h.method, h.target, h.version_minor, h.fields, peer_);
  if (w.stream.is_active()) w.ex.req.body_stream = &w.stream;
  if (w.ex.site_of) pipeline::find_route(w.ex);
}

void h1_connection::read_input() {
  for (;;) {
    held_back_ = false;
    process();
    read_available();
    if (phase_ == phase::closed) return;
    if (ws_) flush();
    if (phase_ == phase::closed) return;
    // A socket that took all the output sends no EPOLLOUT edge: what was held back for it
    // must be taken up here.
    if (!held_back_ || !is_output_low()) break;
  }
  release_if_idle();
}

void h1_connection::read_and_drop() {
  char sink[4096];
  for (;;) {
    const ssize_t n = ::read(fd_, sink, sizeof sink);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    return close_now();
  }
}

// The one place input comes from: the socket, or the plaintext of its TLS session (nothing
// before the handshake is done, so that nothing of it reaches the parser or the timers' idea
// of a request: a client that never finishes its handshake is closed at header_timeout).
ssize_t h1_connection::receive(char* buffer, std::size_t size) {
  if (!tls_) return ::read(fd_, buffer, size);
  return tls_->read(fd_, buffer, size);
}

void h1_connection::read_available() {
  bool drained = false;
  while (phase_ != phase::closed) {
    if (phase_ == phase::h2) return h2_read();
    if (phase_ == phase::websocket) return ws_read();
    if (phase_ == phase::tunnel) return tunnel_pump();
    // Resumed by on_deferred_sent(), or at the end of the content sent.
    if (phase_ == phase::handling || phase_ == phase::sending) return;
    if (!is_output_low()) {
      held_back_ = true;  // resumed by on_io(EPOLLOUT), or by read_input() after a flush
      return;
    }
    if (phase_ == phase::lingering) return read_and_drop();
    if (drained) return;
    // A streamed piece held by its consumer: nothing more is read (resumed by end_hold()).
    if (phase_ == phase::body && ws_->stream.is_active() && !ws_->stream.can_deliver()) return;
    if (!bind_working_set()) return close_now();
    if (!ensure_space()) {
      // A head that fills the buffer has passed a parser limit already; this is a backstop.
      return reject_with(http::status::request_header_fields_too_large);
    }
    h1_working_set& w = *ws_;
    const std::size_t space = w.in.size() - w.in_end;
    const ssize_t n = receive(w.in.data() + w.in_end, space);
    if (n > 0) {
      w.in_end += static_cast<std::size_t>(n);
      bytes_read_ += static_cast<std::uint64_t>(n);
      if (tls_ && tls_->last_read_early()) early_until_ = bytes_read_;
      if (phase_ == phase::body) w.body_bytes += static_cast<std::size_t>(n);
      process();
      // A short read emptied the socket: with edge-triggered epoll, data arriving later raises
      // a new edge, so the read that would only say EAGAIN is saved (one syscall a request).
      // Not through TLS: a short read of plaintext says nothing of the socket.
      drained = !tls_ && static_cast<std::size_t>(n) < space && !hangup_seen_;
      continue;
    }
    if (n == 0) return on_peer_eof();
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    return close_now();
  }
}

void h1_connection::on_peer_eof() {
  peer_eof_ = true;
  process();
  if (phase_ == phase::closed || phase_ == phase::lingering || phase_ == phase::handling ||
      phase_ == phase::sending)
    return;
  // A message cut short is incomplete (RFC 9112 §8): no response to it, just close once the
  // answers already given are out.
  if (!ws_ || ws_->out.empty()) return close_now();
  close_after_flush_ = true;
}

void h1_connection::process() {
  while (ws_ && (phase_ == phase::head || phase_ == phase::body)) {
    if (close_after_flush_) {
      // Whatever follows a response that ends the connection is not a request.
      ws_->in_end = ws_->msg_begin;
      return;
    }
    if (!is_output_low()) return;
    if (phase_ == phase::head && !parse_head()) return;
    if (phase_ == phase::body && !read_body()) return;
  }
}

bool h1_connection::parse_head() {
  h1_working_set& w = *ws_;
  if (w.msg_begin == w.in_end) return false;
  switch (h2_check()) {
    case h2_start::now:
      become_h2();
      return false;
    case h2_start::wait:  // a proper prefix of the preface: more bytes tell
      if (waiting_ != wait_for::header)
        arm(wait_for::header, worker_.options().limits.header_timeout);
      return false;
    case h2_start::no:
      break;
  }
  // The request's clock starts with its first byte read, as nginx's $request_time does.
  if (w.head_since_ms < 0) w.head_since_ms = worker_.loop().now_ms();
  const h1::parse_result r = w.parser.parse(pending_input());
  switch (r.outcome) {
    case h1::parse_result::kind::need_more:
      if (waiting_ != wait_for::header && waiting_ != wait_for::send && has_request_bytes())
        arm(wait_for::header, worker_.options().limits.header_timeout);
      return false;
    case h1::parse_result::kind::error:
      reject_malformed(r.error);
      return false;
    case h1::parse_result::kind::done:
      break;
  }
  w.head_len = r.consumed;
  begin_exchange();
  return true;
}

void h1_connection::begin_exchange() {
  h1_working_set& w = *ws_;
  const h1::request_head& h = w.parser.head();
  if (h.upgrade && try_h2c_upgrade()) return;
  keep_alive_ = h.keep_alive && !draining_;
  w.body_in_buffer = 0;
  w.ex.begin(*this);
  if (!w.ex.bind(h.method, h.target, h.version_minor, h.fields, peer_))
    return reject_with(http::status::bad_request);
  pipeline::head_facts facts = h1_exchange::facts_of(h);
  facts.secure = tls_ != nullptr;
  // RFC 8470 §5.2: a request any of whose head came as early data may be a replay.
  facts.early = early_until_ > bytes_read_ - (w.in_end - w.msg_begin);
  // RFC 9110 §15.5.20: on TLS, the authority must be one the handshake's certificate covers;
  // a CONNECT's is the tunnel's destination (§9.3.6), no origin of this server.
  if (tls_ && !facts.authority.empty() && h.method != "CONNECT")
    facts.misdirected = !tls_->session().covers(host_without_port(facts.authority));
  take_up(pipeline::on_head(w.ex, facts, worker_.options().limits, worker_.error_log()));
}

// What follows the head, once the pipeline's steps have decided.
void h1_connection::take_up(pipeline::after_head next) {
  h1_working_set& w = *ws_;
  switch (next) {
    case pipeline::after_head::answered:
      return answer_from_head();
    case pipeline::after_head::run_handler:
      phase_ = phase::handling;
      return dispatch();
    case pipeline::after_head::read_content:
      if (w.ex.match.target && w.ex.match.options.stream_body) return begin_stream();
      return begin_content();
    case pipeline::after_head::pending:
      // A step decides later (on_step_decided): nothing is read meanwhile, and the wait is
      // the server's time, not the client's.
      disarm();
      phase_ = phase::handling;
      return;
  }
}

void h1_connection::on_step_decided() {
  if (phase_ != phase::handling || !ws_) return;
  take_up(pipeline::resume_steps(ws_->ex, worker_.error_log()));
  // Input that arrived meanwhile waits in the buffer and the socket: the edge has passed.
  if (phase_ != phase::closed) read_input();
}

// The handler runs now, before any content is read, and takes it as it arrives.
void h1_connection::begin_stream() {
  h1_working_set& w = *ws_;
  const h1::request_head& h = w.parser.head();
  w.body_left = h.content_length;
  w.chunked.reset(w.ex.body_max);
  begin_body_clock();
  if (!token_) token_ = std::make_shared<connection_token>(connection_token{this});
  w.stream.begin(worker_, token_);
  // The 100 waits until the handler reads: one that answers from the head saves the upload.
  w.stream.expect_continue =
      h.expect_continue && h.version_minor >= 1 && w.in_end == w.msg_begin + w.head_len;
  w.ex.req.body_stream = &w.stream;
  phase_ = phase::body;
  disarm();
  pipeline::run_handler(w.ex, worker_.error_log());
  if (phase_ == phase::closed) return;
  if (!w.ex.is_deferred_pending()) return answer_early();
  arm_body_wait();
}

// The response is final before the content is: it goes out now, and the unread rest of the
// content makes the connection unusable for another request.
void h1_connection::answer_early() {
  ws_->stream.stop();
  keep_alive_ = false;
  phase_ = phase::handling;
  finish_exchange();
}

void h1_connection::resume_content() {
  if (phase_ != phase::body || !ws_ || !ws_->stream.is_active()) return;
  // Until the handler reads, nothing is read: the body's clock starts with its first read.
  if (ws_->body_bytes == 0) begin_body_clock();
  read_input();
}

void h1_connection::end_hold() {
  if (phase_ != phase::body || !ws_ || !ws_->stream.is_active()) return;
  h1_working_set& w = *ws_;
  w.stream.end_hold();
  const std::size_t used = w.stream.held_consumed();
  const bool complete = w.stream.held_complete();
  w.stream.note_held(0, false);
  // The hold was the handler's time: the body's average rate does not count it.
  if (w.hold_since_ms != 0) w.body_since_ms += worker_.loop().now_ms() - w.hold_since_ms;
  w.hold_since_ms = 0;
  if (used > 0) {
    // Content-Length content stays in the buffer while it is held: it leaves now.
    char* from = w.in.data() + w.msg_begin + w.head_len;
    std::memmove(from, from + used, w.in_end - (w.msg_begin + w.head_len + used));
    w.in_end -= used;
    w.body_left -= used;
  }
  if (complete && !finish_stream()) return;
  if (!complete) arm_body_wait();
  read_input();
}

// Delivers what the buffer holds of the content. False when reading must wait: for more
// bytes, for a hold to end, or because the exchange has moved on.
bool h1_connection::stream_body() {
  h1_working_set& w = *ws_;
  h1_body_stream& s = w.stream;
  if (!s.can_deliver()) return false;
  if (s.expect_continue) {
    s.expect_continue = false;
    h1::append_interim_head(w.out.bytes(), http::status::continue_, [](auto&&) {});
  }
  const h1::request_head& h = w.parser.head();
  const std::size_t body_at = w.msg_begin + w.head_len;
  const std::string_view avail(w.in.data() + body_at, w.in_end - body_at);
  std::string_view piece;
  std::size_t used = 0;
  bool complete = false;
  if (h.framing == h1::body_framing::content_length) {
    used = static_cast<std::size_t>(std::min<std::uint64_t>(avail.size(), w.body_left));
    piece = avail.substr(0, used);
    complete = used == w.body_left;
  } else {
    w.ex.body.clear();
    const h1::chunked_decoder::result r = w.chunked.decode(avail, w.ex.body);
    if (r.outcome == h1::parse_result::kind::error &&
        r.error == h1::parse_error::content_too_large) {
      s.fail(body_error::too_large);
      w.ex.end();  // the handler's response will not be sent
      refuse_content();
      return false;
    }
    if (r.outcome == h1::parse_result::kind::error) {
      s.fail(body_error::malformed);
      reject_malformed(r.error);
      return false;
    }
    // The decoded bytes are in the exchange's scratch: the input can go at once.
    std::memmove(w.in.data() + body_at, w.in.data() + body_at + r.consumed,
                 w.in_end - body_at - r.consumed);
    w.in_end -= r.consumed;
    piece = w.ex.body;
    complete = r.outcome == h1::parse_result::kind::done;
    s.received += piece.size();
    if (s.received > w.ex.body_max) {
      s.fail(body_error::too_large);
      w.ex.end();  // the handler's response will not be sent
      refuse_content();
      return false;
    }
    if (r.consumed > 0) arm_body_wait();
  }
  if (!piece.empty() && !s.deliver(piece)) {
    if (phase_ == phase::closed) return false;
    if (s.response_ready) {
      answer_early();
      return false;
    }
    // Held: the consumer's time, not the client's.
    s.note_held(h.framing == h1::body_framing::content_length ? used : 0, complete);
    w.hold_since_ms = worker_.loop().now_ms();
    disarm();
    return false;
  }
  if (phase_ == phase::closed) return false;
  if (s.response_ready) {
    answer_early();
    return false;
  }
  if (h.framing == h1::body_framing::content_length && used > 0) {
    std::memmove(w.in.data() + body_at, w.in.data() + body_at + used, w.in_end - body_at - used);
    w.in_end -= used;
    w.body_left -= used;
    arm_body_wait();
  }
  if (!complete) return false;
  return finish_stream();
}

// The content is complete: on_end, then the exchange waits for (or has) its response.
bool h1_connection::finish_stream() {
  h1_working_set& w = *ws_;
  disarm();
  phase_ = phase::handling;
  w.stream.deliver_end(w.chunked.trailers());
  if (phase_ == phase::closed) return false;
  if (w.stream.response_ready || !w.ex.is_deferred_pending()) {
    finish_exchange();
    return true;
  }
  return false;  // on_deferred_sent() carries on
}

void h1_connection::begin_content() {
  h1_working_set& w = *ws_;
  const h1::request_head& h = w.parser.head();
  w.body_left = h.content_length;
  w.chunked.reset(w.ex.body_max);
  begin_body_clock();
  phase_ = phase::body;
  switch (h1_exchange::on_expect(h, w.ex, w.in_end > w.msg_begin + w.head_len)) {
    case h1_exchange::expect_step::answer_now:
      keep_alive_ = false;
      phase_ = phase::handling;
      return dispatch();
    case h1_exchange::expect_step::send_continue:
      h1::append_interim_head(w.out.bytes(), http::status::continue_, [](auto&&) {});
      break;
    case h1_exchange::expect_step::none:
      break;
  }
  arm_body_wait();
}

bool h1_connection::read_body() {
  if (ws_->stream.is_active()) return stream_body();
  h1_working_set& w = *ws_;
  const h1::request_head& h = w.parser.head();
  const std::size_t body_at = w.msg_begin + w.head_len;
  const std::string_view avail(w.in.data() + body_at + w.body_in_buffer,
                               w.in_end - body_at - w.body_in_buffer);
  std::size_t used = 0;
  bool complete = false;
  if (h.framing == h1::body_framing::content_length) {
    if (w.ex.body.empty() && w.body_in_buffer == 0 && avail.size() >= w.body_left) {
      // The whole content came with the head: hand out a view, copy nothing.
      w.body_in_buffer = static_cast<std::size_t>(w.body_left);
      w.body_left = 0;
      complete = true;
    } else {
      used = static_cast<std::size_t>(std::min<std::uint64_t>(avail.size(), w.body_left));
      w.ex.body.append(avail.substr(0, used));
      w.body_left -= used;
      complete = w.body_left == 0;
    }
  } else {
    const h1::chunked_decoder::result r = w.chunked.decode(avail, w.ex.body);
    // The decoder refuses a chunk size past the path's limit as soon as its line ends; the
    // count below is a backstop.
    if ((r.outcome == h1::parse_result::kind::error &&
         r.error == h1::parse_error::content_too_large) ||
        w.ex.body.size() > w.ex.body_max) {
      refuse_content();
      return false;
    }
    if (r.outcome == h1::parse_result::kind::error) {
      reject_malformed(r.error);
      return false;
    }
    used = r.consumed;
    complete = r.outcome == h1::parse_result::kind::done;
  }
  // Consumed content leaves the buffer, so that a large body never grows it; what follows
  // (a pipelined request) moves down behind the head.
  if (used > 0) {
    char* from = w.in.data() + body_at + w.body_in_buffer;
    std::memmove(from, from + used, w.in_end - (body_at + w.body_in_buffer + used));
    w.in_end -= used;
  }
  if (!complete) {
    if (used > 0 || waiting_ != wait_for::body) arm_body_wait();
    return false;
  }
  w.ex.req.body = w.body_in_buffer > 0 ? std::string_view(w.in.data() + body_at, w.body_in_buffer)
                                       : std::string_view(w.ex.body);
  w.ex.req.trailers = w.chunked.trailers();
  phase_ = phase::handling;
  dispatch();
  return true;
}

// The content passes the path's limit: 413, with the site's page (the request is known), and
// the rest of the content is not read.
void h1_connection::refuse_content() {
  pipeline::refuse_content(ws_->ex);
  answer_from_head();
}

// A final answer decided from the head alone. Content the client announced is not read, so
// the connection cannot carry another request after it.
void h1_connection::answer_from_head() {
  if (ws_->parser.head().framing != h1::body_framing::none) keep_alive_ = false;
  disarm();
  phase_ = phase::handling;
  finish_exchange();
}

void h1_connection::dispatch() {
  disarm();
  exchange& ex = ws_->ex;
  pipeline::run_handler(ex, worker_.error_log());
  if (phase_ == phase::closed) return;   // the client left while the handler ran
  if (ex.is_deferred_pending()) return;  // on_deferred_sent() carries on
  finish_exchange();
}

void h1_connection::finish_exchange() {
  if (phase_ == phase::closed) return;
  if (!write_response()) return;  // the representation waits for the pool: on_deferred_sent()
  if (pending_upgrade_) return become_websocket();
  if (pending_tunnel_) return become_tunnel();
  if (ws_->outgoing.is_active()) {
    phase_ = phase::sending;
    if (!pump_content()) {
      if (has_left_while_waiting()) close_now();
      return;  // resume_source() or on_io() carries on
    }
    account(ws_->ex.res->status(), ws_->outgoing.sent());
  }
  end_response();
}

void h1_connection::end_response() {
  h1_working_set& w = *ws_;
  served_any_ = true;
  w.ex.end();
  w.head_since_ms = -1;
  w.msg_begin += w.head_len + w.body_in_buffer;
  w.head_len = 0;
  w.body_in_buffer = 0;
  w.parser.reset();
  phase_ = phase::head;
  if (w.msg_begin == w.in_end) w.msg_begin = w.in_end = 0;
  if (!keep_alive_) {
    close_after_flush_ = true;
  } else if (w.out.empty()) {
    rearm_for_input();
  }
}

bool h1_connection::write_response() {
  h1_working_set& w = *ws_;
  exchange& ex = w.ex;
  if (!pipeline::finish(ex, worker_.now())) return false;
  const response& res = *ex.res;
  if (res.status() == http::status::switching_protocols &&
      (response_access::upgrade(res) || response_access::tunnel(res))) {
    // RFC 9110 §15.2.2: the 101's head, then the connection speaks the new protocol: a
    // WebSocket route's, or an upstream's through the reverse proxy (a tunnel: only the two ends
    // speak it). Connection is the transport's to write (§7.8: it names the upgrade).
    h1::append_interim_head(w.out.bytes(), http::status::switching_protocols, [&res](auto&& emit) {
      emit("Connection", "Upgrade");
      res.for_each_header(emit);
    });
    account(http::status::switching_protocols, 0);
    if (response_access::upgrade(res))
      pending_upgrade_ = response_access::take_upgrade(*ex.res);
    else
      pending_tunnel_ = response_access::take_tunnel(*ex.res);
    return true;
  }
  if (res.status() == http::status::ok && response_access::tunnel(res)) {
    // RFC 9110 §9.3.6: a 2xx to CONNECT has no content and no Content-Length or
    // Transfer-Encoding; the bytes after it are the tunnel's.
    h1::head_params p;
    p.status = http::status::ok;
    p.body = h1::body_kind::none;
    p.date = worker_.date();
    p.server = worker_.options().server_header;
    h1::append_response_head(w.out.bytes(), p, [&res](auto&& emit) { res.for_each_header(emit); });
    account(http::status::ok, 0);
    pending_tunnel_ = response_access::take_tunnel(*ex.res);
    return true;
  }
  h1::head_params p = h1_exchange::head_of(ex, keep_alive_);
  keep_alive_ = p.keep_alive;
  p.date = worker_.date();
  p.server = worker_.options().server_header;
  h1::append_response_head(w.out.bytes(), p, [&res](auto&& emit) { res.for_each_header(emit); });
  const bool no_content = p.body == h1::body_kind::none || ex.req.is_head();
  if (res.has_source()) {
    std::shared_ptr<body_source> source = response_access::take_source(*ex.res);
    if (no_content) {
      source->cancelled();
      return true;
    }
    using framing = h1_response_stream::framing;
    const framing f = p.body == h1::body_kind::length    ? framing::length
                      : p.body == h1::body_kind::chunked ? framing::chunked
                                                         : framing::close_delimited;
    // Logged when the content is over, with what was sent of it.
    begin_sending(std::move(source), f, p.content_length);
    return true;
  }
  if (worker_.logs_access() || worker_.counts_metrics()) {
    const std::uint64_t bytes = no_content               ? 0
                                : ex.plan.is_multipart() ? ex.plan.content_length
                                                         : res.content_length();
    account(p.status, bytes);
  }
  if (no_content) return true;
  if (!h1_exchange::append_content(ex, w.out, p.body)) {
    keep_alive_ = false;
    close_after_flush_ = true;
  }
  return true;
}

connection_row h1_connection::describe(std::int64_t now_ms) const {
  connection_row row;
  row.worker = 1;
  row.peer = peer_;
  const bool in_request = ws_ && ws_->head_since_ms >= 0;
  switch (phase_) {
    case phase::head:
      // A file's bytes still going out after its exchange ended: busy, not waiting.
      row.state = in_request ? "reading" : ws_ && !ws_->out.empty() ? "sending" : "waiting";
      break;
    case phase::body:
      row.state = "reading";
      break;
    case phase::handling:
      row.state = "handling";
      break;
    case phase::sending:
      row.state = "sending";
      break;
    case phase::lingering:
    case phase::closed:
      row.state = "closing";
      break;
    case phase::h2:
      row.state = h2_->open_streams() > 0 ? "handling" : "waiting";
      row.request = h2_->first_request();
      if (row.request.size() > 120) row.request.resize(120);
      return row;
    case phase::tunnel:
      row.state = "tunnel";
      row.request.append(tunnel_request_);
      if (row.request.size() > 120) row.request.resize(120);
      return row;
    case phase::websocket:
      row.state = "websocket";
      row.request.append("GET ").append(websocket_->target());
      if (row.request.size() > 120) row.request.resize(120);
      return row;
  }
  if (ws_ && !ws_->ex.req.method.empty() && phase_ != phase::head) {
    row.request.append(ws_->ex.req.method).append(" ").append(ws_->ex.req.target);
    if (row.request.size() > 120) row.request.resize(120);
  }
  if (in_request) row.for_ms = now_ms - ws_->head_since_ms;
  return row;
}

void h1_connection::account(http::status status, std::uint64_t bytes) {
  if (worker_.counts_metrics()) count(status, bytes);
  if (worker_.logs_access()) log_access(status, bytes);
}

void h1_connection::count(http::status status, std::uint64_t bytes) {
  const h1_working_set& w = *ws_;
  const exchange& ex = w.ex;
  counted_response r;
  r.where = ex.site_of;
  r.code = static_cast<int>(status);
  r.method = ex.req.method;
  r.bytes_in = bytes_read_ - bytes_counted_;
  bytes_counted_ = bytes_read_;
  r.bytes_out = bytes;
  if (w.head_since_ms >= 0)
    r.duration_ms = std::max<std::int64_t>(0, base::monotonic_ms() - w.head_since_ms);
  r.answered_by = ex.answered_by();
  r.path = ex.req.path;
  r.at_ms = worker_.loop().now_ms();
  worker_.metrics().count(r);
}

void h1_connection::reject_malformed(h1::parse_error e) {
  if (worker_.counts_metrics()) worker_.metrics().count_parse_error(e);
  reject_with(h1::to_status(e));
}

void h1_connection::log_access(http::status status, std::uint64_t bytes) {
  const h1_working_set& w = *ws_;
  const exchange& ex = w.ex;
  const limits& lim = worker_.options().limits;
  access_entry e;
  e.client = peer_;
  e.time = worker_.now();
  e.status = static_cast<int>(status);
  e.bytes = bytes;
  if (w.head_since_ms >= 0) {
    // The clock now, not the loop's: a handler may have taken time in this very turn.
    const std::int64_t ms = std::max<std::int64_t>(0, base::monotonic_ms() - w.head_since_ms);
    e.duration_ms = static_cast<std::uint64_t>(ms);
  }
  // The message's bytes stay in the input buffer until the exchange ends: the request line
  // as it came (for a rejected message, as far as it came), and what a rejected head held.
  const std::string_view received = pending_input();
  if (ex.req.method.empty()) {
    const h1::rejected_head r =
        h1::read_rejected_head(received, lim.request_line, lim.header_section);
    e.request_line = r.request_line;
    e.method = r.method;
    e.target = r.target;
    e.protocol = r.protocol;
    e.host = r.host;
    e.referer = r.referer;
    e.user_agent = r.user_agent;
  } else {
    e.request_line = h1::request_line_of(received, lim.request_line);
    e.method = ex.req.method;
    e.target = ex.req.target;
    e.protocol = ex.req.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
    e.host = h1_exchange::authority_of(w.parser.head());
    e.referer = ex.req.header("Referer").value_or(std::string_view{});
    e.user_agent = ex.req.header("User-Agent").value_or(std::string_view{});
  }
  worker_.log_access(e);
}

void h1_connection::begin_sending(std::shared_ptr<body_source> source,
                                  h1_response_stream::framing f, std::uint64_t length) {
  if (!token_) token_ = std::make_shared<connection_token>(connection_token{this});
  const std::uint32_t serial = ++stream_serial_;
  // wake() may come from any thread, and after the stream (or the connection) is gone.
  auto waker = [w = &worker_, token = token_, serial] {
    w->loop().post([token, serial] {
      if (token->conn) token->conn->resume_source(serial);
    });
  };
  ws_->outgoing.begin(std::move(source), f, length, std::move(waker));
}

// Pulls the response's content while the output has room, flushing as it fills. True when the
// content is over: complete, or failed (the connection then ends after what was sent).
bool h1_connection::pump_content() {
  h1_working_set& w = *ws_;
  std::size_t pulled = 0;
  for (;;) {
    const std::size_t backlog = w.out.memory_backlog();
    if (backlog >= output_high_water) {
      if (!flush() || phase_ != phase::sending) return false;
      if (!w.out.empty()) return false;  // the socket is full: on_io(EPOLLOUT) goes on
      continue;
    }
    if (pulled >= sending_turn) {
      worker_.loop().post([token = token_] {
        if (token->conn) token->conn->continue_sending();
      });
      return false;
    }
    const std::size_t room = output_high_water - backlog;
    switch (w.outgoing.pump(w.out.bytes(), room)) {
      case h1_response_stream::step::room:
        pulled += room;
        continue;
      case h1_response_stream::step::wait:
        return false;
      case h1_response_stream::step::ended:
        return true;
      case h1_response_stream::step::failed:
        keep_alive_ = false;
        return true;
    }
  }
}

void h1_connection::resume_source(std::uint32_t serial) {
  if (phase_ != phase::sending || !ws_ || serial != stream_serial_) return;
  ws_->outgoing.woken();
  continue_sending();
}

// A stream that waits for its source writes nothing, so it would never learn from a failed
// write that its client has gone. The client's FIN tells: as nginx does for a long-polling
// request, a closed read side with nothing pending counts as the client leaving (a client that
// half-closes and waits for a long stream loses it; one whose stream flows is unaffected).
bool h1_connection::has_left_while_waiting() const noexcept {
  if (phase_ != phase::sending || !hangup_seen_ || !ws_->outgoing.is_waiting()) return false;
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

void h1_connection::continue_sending() {
  if (phase_ != phase::sending || !ws_) return;
  if (!pump_content()) {
    if (has_left_while_waiting()) return close_now();
    if (phase_ == phase::sending) flush();
    return;
  }
  account(ws_->ex.res->status(), ws_->outgoing.sent());
  end_response();
  // Input that arrived while the content went out waits in the buffer and the socket.
  read_input();
}

void h1_connection::reject_with(http::status s) {
  // The message cannot be trusted (or never finished): answer, then end the connection.
  disarm();
  keep_alive_ = false;
  h1_working_set& w = *ws_;
  // A head refused before it was bound leaves the last exchange's request behind: the log
  // reads what came of this one from its bytes instead.
  if (phase_ == phase::head) w.ex.req = request{};
  w.ex.begin(*this);
  pipeline::answer_with(w.ex, s);
  // Parse errors come before the head is known: the request's version is unknown, so the
  // answer is HTTP/1.1 with Connection: close (RFC 9112 §2.3 allows a 1.1 answer to 1.0).
  // An error page never waits for the pool.
  write_response();
  w.ex.end();
  w.head_since_ms = -1;
  close_after_flush_ = true;
  phase_ = phase::head;
  w.in_end = w.msg_begin;
  flush();
}

bool h1_connection::write_interim(
    http::status code, std::span<const std::pair<std::string_view, std::string_view>> fields) {
  if (!ws_ || ws_->ex.req.version_minor < 1 || phase_ == phase::closed) return false;
  h1::append_interim_head(ws_->out.bytes(), code, [&](auto&& emit) {
    for (const auto& [name, value] : fields)
      emit(name, value);
  });
  return flush();
}

void h1_connection::on_deferred_sent() {
  if (phase_ == phase::closed) return;
  if (ws_ && ws_->stream.is_delivering()) {
    // Sent from inside on_data or on_end: taken up when the callback returns.
    ws_->stream.response_ready = true;
    return;
  }
  if (phase_ == phase::body)
    answer_early();
  else
    finish_exchange();
  // Input that arrived meanwhile waits in the buffer and the socket: the edge has passed.
  read_input();
}

bool h1_connection::flush() {
  output_queue::flush_result r = output_queue::flush_result::done;
  if (!tls_) {
    r = ws_->out.flush(fd_);
  } else if (ws_) {
    r = ws_->out.flush(fd_, *tls_);
  } else {
    // An idle TLS connection may still owe the socket ciphertext (handshake, tickets).
    switch (tls_->send(fd_)) {
      case tls_stream::send_result::blocked:
        r = output_queue::flush_result::blocked;
        break;
      case tls_stream::send_result::failed:
        r = output_queue::flush_result::failed;
        break;
      case tls_stream::send_result::done:
        break;
    }
  }
  switch (r) {
    case output_queue::flush_result::blocked:
      // The socket is full: wait for EPOLLOUT, but not forever (each flush that gets here has
      // made progress or has just begun, so the clock restarts).
      arm(wait_for::send, worker_.options().limits.send_timeout);
      return true;
    case output_queue::flush_result::failed:
      close_now();
      return false;
    case output_queue::flush_result::done:
      break;
  }
  if (waiting_ == wait_for::send || (phase_ == phase::head && waiting_ == wait_for::nothing))
    rearm_for_input();
  if (close_after_flush_) {
    end_after_flush();
    return phase_ != phase::closed;
  }
  return true;
}

void h1_connection::end_after_flush() {
  if (phase_ == phase::lingering) return;
  if (peer_eof_) return close_now();
  // RFC 8446 §6.1: a TLS connection ends with close_notify, so that the client can tell the
  // end from a truncation. What the socket does not take at once is dropped with it.
  if (tls_) tls_->close(fd_);
  // Half-close and drain what the client still sends, so that the kernel does not answer
  // unread input with a reset that could destroy the response in flight.
  ::shutdown(fd_, SHUT_WR);
  phase_ = phase::lingering;
  arm(wait_for::linger, linger_time);
  read_and_drop();
}

void h1_connection::close_now() {
  if (phase_ == phase::closed) return;
  if (worker_.counts_metrics()) {
    if (h2_) worker_.metrics().count_h2_session(h2_->counters());
    if (tls_) worker_.metrics().count_tls(handshake_outcome(tls_->session()));
  }
  phase_ = phase::closed;
  if (websocket_) websocket_->gone();
  if (tunnel_) tunnel_->close();
  disarm();
  if (token_) token_->conn = nullptr;
  if (ws_ && !ws_->stream.is_delivering()) ws_->stream.fail(body_error::client_gone);
  if (ws_) ws_->outgoing.cancel();
  // A handler running on this stack keeps the working set until the destructor.
  if (ws_ && !ws_->ex.is_in_handler()) release_working_set();
  // RFC 8446 §6.1: close_notify before closing (an idle timeout, a drain), when the client
  // can still read it and the socket takes it at once.
  if (tls_ && !peer_eof_) tls_->close(fd_);
  worker_.loop().remove(fd_);
  ::close(fd_);
  fd_ = -1;
  worker_.retire(this);
}

}  // namespace teapot::srv
