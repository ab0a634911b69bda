#include "server/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "h1/serializer.h"
#include "http/path.h"
#include "io/write.h"
#include "server/error_page.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

constexpr std::size_t initial_buffer = 16 * 1024;
// Output beyond this stops the reading of pipelined requests until the peer catches up.
constexpr std::size_t output_high_water = 256 * 1024;
// Files up to this size are read into the output buffer, so that a batch of pipelined
// responses leaves in one write; larger ones go with sendfile.
constexpr std::uint64_t inline_file_max = 16 * 1024;
// Files of pipelined responses open at once on one connection; more wait for the output.
constexpr std::size_t max_files_in_flight = 8;
// How long a closing connection keeps reading (and discarding) so that its last response is
// not destroyed by a reset (RFC 9112 §9.6).
constexpr std::chrono::milliseconds linger_time{2000};

std::string_view split_query(std::string_view target, std::string_view& query) {
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) {
    query = {};
    return target;
  }
  query = target.substr(q + 1);
  return target.substr(0, q);
}

// RFC 9112 §3.2.2: with an absolute-form target, its authority replaces Host.
std::string_view authority_of(const h1::request_head& h) {
  std::size_t scheme = h.target.find("://");
  if (h.target.empty() || h.target.front() == '/' || scheme == std::string_view::npos)
    return h.host;
  std::string_view rest = h.target.substr(scheme + 3);
  return rest.substr(0, rest.find_first_of("/?"));
}

// absolute-form (RFC 9112 §3.2.2): the path is what follows the authority.
std::string_view path_of(std::string_view target) {
  if (target.empty() || target.front() == '/') return target;
  std::size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return target;
  std::size_t slash = target.find('/', scheme + 3);
  return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
}

}  // namespace

connection::connection(worker& w, int fd, std::string peer)
    : worker_(w),
      fd_(fd),
      peer_(std::move(peer)),
      parser_(w.parser_config()),
      chunked_(w.parser_config()),
      res_(std::make_shared<response>()) {
  timer_.set_callback([this] { on_timer(); });
  in_.resize(initial_buffer);
}

connection::~connection() {
  if (deferral_open_) *deferral_open_ = false;
  for (auto& f : files_)
    f.release();
  if (fd_ >= 0) ::close(fd_);
}

void connection::file_part::release() noexcept {
  if (!keeper && fd >= 0) ::close(fd);
  fd = -1;
  keeper.reset();
}

void connection::start() {
  worker_.loop().add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  // A client that connects and says nothing is treated like an idle keep-alive connection.
  arm(wait_for::header, worker_.options().limits.header_timeout);
}

bool connection::is_idle() const noexcept {
  return phase_ == phase::head && msg_begin_ == in_end_ && !output_pending();
}

bool connection::output_pending() const noexcept {
  return out_sent_ < out_.size() || !files_.empty();
}

// Nothing but empty lines (which RFC 9112 §2.2 lets a server skip) is no request yet.
bool connection::has_request_bytes() const noexcept {
  return pending_input().find_first_not_of("\r\n") != std::string_view::npos;
}

// The timer that fits what the connection waits for now, once no output is stuck.
void connection::rearm_for_input() {
  const auto& lim = worker_.options().limits;
  switch (phase_) {
    case phase::head:
      if (has_request_bytes())
        arm(wait_for::header, lim.header_timeout);
      else if (keep_alive_ && !close_after_flush_)
        arm(wait_for::idle, lim.keep_alive_timeout);
      return;
    case phase::body:
      return arm(wait_for::body, lim.body_timeout);
    case phase::handling:
      worker_.loop().disarm(timer_);
      waiting_ = wait_for::nothing;
      return;
    case phase::lingering:
    case phase::closed:
      return;
  }
}

void connection::begin_drain() {
  draining_ = true;
  keep_alive_ = false;
  if (is_idle()) close_now();
}

void connection::on_io(std::uint32_t events) {
  if (events & EPOLLERR) return close_now();
  if (events & (EPOLLRDHUP | EPOLLHUP)) hangup_seen_ = true;
  if ((events & EPOLLOUT) && !flush()) return;
  // Input held back while the output was over its mark is read once the output has drained.
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) || (held_back_ && is_output_low())) read_input();
}

void connection::arm(wait_for w, std::chrono::milliseconds delay) {
  waiting_ = w;
  worker_.loop().arm(timer_, delay);
}

void connection::on_timer() {
  switch (waiting_) {
    case wait_for::header:
      // Nothing of a request yet: close silently, as for an idle connection.
      if (phase_ == phase::head && !has_request_bytes()) return close_now();
      return reject_with(http::status::request_timeout);
    case wait_for::body:
      return reject_with(http::status::request_timeout);
    case wait_for::idle:
    case wait_for::linger:
    case wait_for::send:  // the client stopped reading
    case wait_for::nothing:
      return close_now();
  }
}

bool connection::is_output_low() const noexcept {
  return out_.size() - out_sent_ <= output_high_water && files_.size() < max_files_in_flight;
}

bool connection::ensure_space() {
  if (in_end_ < in_.size()) return true;
  if (phase_ == phase::head && msg_begin_ > 0) {
    // No view into the buffer is alive between messages: the partial head can move.
    std::memmove(in_.data(), in_.data() + msg_begin_, in_end_ - msg_begin_);
    in_end_ -= msg_begin_;
    msg_begin_ = 0;
    return true;
  }
  const auto& lim = worker_.options().limits;
  std::size_t cap = lim.request_line + lim.header_section + initial_buffer;
  if (in_.size() >= cap) return false;
  in_.resize(std::min(cap, in_.size() * 2));
  // The buffer moved: a head being answered must point into the new one.
  if (phase_ == phase::body) rebind_head();
  return true;
}

// Rebuilds every view of the current exchange after the input buffer moved: the head is
// parsed again from the same bytes (its result cannot differ), then the request's views and
// the route's parameters. The pipeline does not run again: it has decided already.
void connection::rebind_head() {
  parser_.reset();
  h1::parse_result r = parser_.parse(pending_input());
  (void)r;  // done, with the same length: these bytes were accepted before
  bind_request();
  if (site_) {
    site_->routes().find(req_.method, req_.path, match_);
    req_.params = match_.params;
  }
}

void connection::read_input() {
  for (;;) {
    held_back_ = false;
    process();
    read_available();
    if (phase_ == phase::closed) return;
    flush();
    // A socket that took all the output sends no EPOLLOUT edge: what was held back for it
    // must be taken up here.
    if (phase_ == phase::closed || !held_back_ || !is_output_low()) return;
  }
}

void connection::read_available() {
  bool drained = false;
  while (phase_ != phase::closed) {
    if (phase_ == phase::handling) return;  // resumed by complete()
    if (!is_output_low()) {
      held_back_ = true;  // resumed by on_io(EPOLLOUT), or by read_input() after a flush
      return;
    }
    if (phase_ == phase::lingering) {
      char sink[4096];
      ssize_t n = ::read(fd_, sink, sizeof sink);
      if (n > 0) continue;
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      return close_now();
    }
    if (drained) return;
    if (!ensure_space()) {
      // A head that fills the buffer has passed a parser limit already; this is a backstop.
      return reject_with(http::status::request_header_fields_too_large);
    }
    const std::size_t space = in_.size() - in_end_;
    ssize_t n = ::read(fd_, in_.data() + in_end_, space);
    if (n > 0) {
      in_end_ += static_cast<std::size_t>(n);
      process();
      // A short read emptied the socket: with edge-triggered epoll, data arriving later raises
      // a new edge, so the read that would only say EAGAIN is saved (one syscall a request).
      drained = static_cast<std::size_t>(n) < space && !hangup_seen_;
      continue;
    }
    if (n == 0) return on_peer_eof();
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    return close_now();
  }
}

void connection::on_peer_eof() {
  peer_eof_ = true;
  process();
  if (phase_ == phase::closed || phase_ == phase::lingering || phase_ == phase::handling) return;
  // A message cut short is incomplete (RFC 9112 §8): no response to it, just close once the
  // answers already given are out.
  if (!output_pending()) return close_now();
  close_after_flush_ = true;
}

void connection::process() {
  while (phase_ == phase::head || phase_ == phase::body) {
    if (close_after_flush_) {
      // Whatever follows a response that ends the connection is not a request.
      in_end_ = msg_begin_;
      return;
    }
    if (!is_output_low()) return;
    if (phase_ == phase::head && !parse_head()) return;
    if (phase_ == phase::body && !read_body()) return;
  }
}

bool connection::parse_head() {
  if (msg_begin_ == in_end_) return false;
  h1::parse_result r = parser_.parse(pending_input());
  switch (r.outcome) {
    case h1::parse_result::kind::need_more:
      if (waiting_ != wait_for::header && waiting_ != wait_for::send && has_request_bytes())
        arm(wait_for::header, worker_.options().limits.header_timeout);
      return false;
    case h1::parse_result::kind::error:
      reject(r.error);
      return false;
    case h1::parse_result::kind::done:
      break;
  }
  head_len_ = r.consumed;
  begin_exchange();
  return true;
}

// Points the request at the parsed head: method, target, fields, and the normalized path.
// False when the path cannot be trusted.
bool connection::bind_request() {
  const h1::request_head& h = parser_.head();
  req_ = request{};
  req_.method = h.method;
  req_.target = h.target;
  req_.version_minor = h.version_minor;
  req_.headers = h.fields;
  req_.remote_address = peer_;
  req_.body = body_view_;
  std::string_view raw_path = split_query(path_of(h.target), req_.query);
  if (h.target == "*") {
    req_.path = "*";
    return true;
  }
  return http::normalize_path(raw_path, path_scratch_, req_.path) == http::path_error::none;
}

void connection::begin_exchange() {
  const h1::request_head& h = parser_.head();
  keep_alive_ = h.keep_alive && !draining_;
  body_.clear();
  body_view_ = {};
  body_in_buffer_ = 0;
  if (!bind_request()) return reject_with(http::status::bad_request);
  res_->reset(this);
  interim_allowed_ = true;
  if (sites_ != worker_.sites()) sites_ = worker_.sites();
  site_ = sites_->table.find(authority_of(h));
  if (site_ == nullptr) {
    // Strict hosts: this server is not configured for that authority (RFC 9110 §15.5.20).
    res_->error(http::status::misdirected_request);
    return answer_from_head();
  }
  // Before the policies and before any 100: a body too large for its path is never read.
  body_max_ = worker_.options().limits.body_for(req_.path);
  if (h.framing == h1::body_framing::content_length && h.content_length > body_max_)
    return refuse_body();
  if (run_policies()) return answer_from_head();
  site_->routes().find(h.method, req_.path, match_);
  req_.params = match_.params;

  if (h.framing == h1::body_framing::none) {
    phase_ = phase::handling;
    return dispatch();
  }
  body_left_ = h.content_length;
  chunked_.reset();
  phase_ = phase::body;
  bool body_started = in_end_ > msg_begin_ + head_len_;
  bool no_content = h.framing == h1::body_framing::content_length && h.content_length == 0;
  if (h.expect_continue && h.version_minor >= 1 && !body_started && !no_content) {
    if (match_.target == nullptr) {
      // Refused before the content: the final status instead of 100 (RFC 9110 §10.1.1). The
      // unread content makes the connection unusable for another request.
      keep_alive_ = false;
      phase_ = phase::handling;
      return dispatch();
    }
    h1::append_interim_head(out_, http::status::continue_, [](auto&&) {});
  }
  arm(wait_for::body, worker_.options().limits.body_timeout);
}

bool connection::read_body() {
  const h1::request_head& h = parser_.head();
  std::size_t body_at = msg_begin_ + head_len_;
  std::string_view avail(in_.data() + body_at + body_in_buffer_,
                         in_end_ - body_at - body_in_buffer_);
  std::size_t used = 0;
  bool complete = false;
  if (h.framing == h1::body_framing::content_length) {
    if (body_.empty() && body_in_buffer_ == 0 && avail.size() >= body_left_) {
      // The whole content came with the head: hand out a view, copy nothing.
      body_in_buffer_ = static_cast<std::size_t>(body_left_);
      body_view_ = avail.substr(0, body_in_buffer_);
      body_left_ = 0;
      complete = true;
    } else {
      used = static_cast<std::size_t>(std::min<std::uint64_t>(avail.size(), body_left_));
      body_.append(avail.substr(0, used));
      body_left_ -= used;
      complete = body_left_ == 0;
      body_view_ = body_;
    }
  } else {
    h1::chunked_decoder::result r = chunked_.decode(avail, body_);
    if (r.outcome == h1::parse_result::kind::error) {
      reject(r.error);
      return false;
    }
    used = r.consumed;
    complete = r.outcome == h1::parse_result::kind::done;
    body_view_ = body_;
    // Counted as it is decoded: the chunks' sizes say nothing of the whole.
    if (body_.size() > body_max_) {
      refuse_body();
      return false;
    }
  }
  // Consumed content leaves the buffer, so that a large body never grows it; what follows
  // (a pipelined request) moves down behind the head.
  if (used > 0) {
    char* from = in_.data() + body_at + body_in_buffer_;
    std::memmove(from, from + used, in_end_ - (body_at + body_in_buffer_ + used));
    in_end_ -= used;
  }
  if (!complete) {
    if (used > 0 || waiting_ != wait_for::body)
      arm(wait_for::body, worker_.options().limits.body_timeout);
    return false;
  }
  req_.body = body_view_;
  phase_ = phase::handling;
  dispatch();
  return true;
}

// The site's steps, at head time. True when one of them answered.
bool connection::run_policies() {
  try {
    for (const auto& step : site_->policies())
      if (step->on_request(req_, *res_) == policy::verdict::answered) return true;
  } catch (const std::exception& e) {
    worker_.log(log_level::error, "a policy failed on " + std::string(req_.path) + ": " + e.what());
    res_->reset(this);
    res_->error(http::status::internal_server_error);
    return true;
  }
  return false;
}

// A final answer decided from the head alone. Content the client announced is not read, so
// the connection cannot carry another request after it.
void connection::answer_from_head() {
  if (parser_.head().framing != h1::body_framing::none) keep_alive_ = false;
  worker_.loop().disarm(timer_);
  waiting_ = wait_for::nothing;
  phase_ = phase::handling;
  finish_exchange();
}

// 413 (RFC 9110 §15.5.14) from the site, whose page it gets. The rest of the content is not
// read, so the connection closes after the answer.
void connection::refuse_body() {
  res_->reset(this);
  res_->error(http::status::content_too_large);
  answer_from_head();
}

void connection::dispatch() {
  worker_.loop().disarm(timer_);
  waiting_ = wait_for::nothing;
  response& res = *res_;
  if (match_.target == nullptr) {
    if (match_.allow.empty()) {
      res.error(http::status::not_found);
    } else {
      res.error(http::status::method_not_allowed);
      res.set_header("Allow", match_.allow);
    }
  } else {
    in_dispatch_ = true;
    completed_in_dispatch_ = false;
    try {
      (*match_.target)(req_, res);
    } catch (const std::exception& e) {
      worker_.log(log_level::error,
                  "the handler for " + std::string(req_.path) + " failed: " + e.what());
      res.reset(this);
      res.error(http::status::internal_server_error);
    } catch (...) {
      res.reset(this);
      res.error(http::status::internal_server_error);
    }
    in_dispatch_ = false;
  }
  if (phase_ == phase::closed) return;  // the client left while the handler ran
  if (res.is_deferred() && !completed_in_dispatch_) return;  // complete() carries on
  finish_exchange();
}

void connection::finish_exchange() {
  if (phase_ == phase::closed) return;
  write_response();
  msg_begin_ += head_len_ + body_in_buffer_;
  head_len_ = 0;
  body_in_buffer_ = 0;
  parser_.reset();
  phase_ = phase::head;
  if (msg_begin_ == in_end_) msg_begin_ = in_end_ = 0;
  if (!keep_alive_) {
    close_after_flush_ = true;
  } else if (!output_pending()) {
    rearm_for_input();
  }
}

void connection::write_response() {
  response& res = *res_;
  interim_allowed_ = false;
  if (http::is_informational(res.status())) res.error(http::status::internal_server_error);
  apply_representation(req_, res, worker_.now(), plan_, site_);
  if (res.wants_error_page()) write_error_page(res.status(), req_, site_, res);
  // Last, so that the steps see (and may change) every field the server itself added.
  if (site_) {
    const auto& steps = site_->policies();
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
      (*it)->on_response(req_, res);
  }
  h1::head_params p;
  p.status = res.status();
  p.version_minor = req_.version_minor;
  p.body = h1::choose_body_kind(p.status, !res.length_unknown(), req_.version_minor);
  if (p.body == h1::body_kind::close_delimited) keep_alive_ = false;
  p.keep_alive = keep_alive_;
  if (p.body == h1::body_kind::length)
    p.content_length = plan_.is_multipart() ? plan_.content_length : res.content_length();
  p.date = worker_.date();
  p.server = worker_.options().server_header;
  h1::append_response_head(out_, p, [&res](auto&& emit) { res.for_each_header(emit); });
  if (worker_.logs_access()) log_access(p.status, p.body != h1::body_kind::none);
  if (p.body == h1::body_kind::none || req_.is_head()) return;
  if (plan_.is_multipart()) return append_multipart();
  append_body();
  if (p.body == h1::body_kind::chunked) out_.append("0\r\n\r\n");
}

void connection::log_access(http::status status, bool has_content) {
  const response& res = *res_;
  access_entry e;
  e.client = peer_;
  e.time = worker_.now();
  e.status = static_cast<int>(status);
  if (has_content && !req_.is_head())
    e.bytes = plan_.is_multipart() ? plan_.content_length : res.content_length();
  // The request line as it came (for a rejected message, as far as it came), still in the
  // input buffer until the exchange ends; the empty lines a client may send first are skipped.
  std::string_view raw = pending_input();
  raw.remove_prefix(std::min(raw.size(), raw.find_first_not_of("\r\n")));
  raw = raw.substr(0, worker_.options().limits.request_line);
  e.request_line = raw.substr(0, raw.find_first_of("\r\n"));
  if (!req_.method.empty()) {
    e.method = req_.method;
    e.target = req_.target;
    e.protocol = req_.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
    e.referer = req_.header("Referer").value_or(std::string_view{});
    e.user_agent = req_.header("User-Agent").value_or(std::string_view{});
  }
  worker_.log_access(e);
}

void connection::append_body() {
  response& res = *res_;
  bool chunked = res.length_unknown() && req_.version_minor >= 1;
  std::uint64_t len = res.content_length();
  if (chunked && len > 0) {
    char size[20];
    int n = std::snprintf(size, sizeof size, "%llx\r\n", static_cast<unsigned long long>(len));
    out_.append(size, static_cast<std::size_t>(n));
  }
  append_window(0, len);
  if (chunked && len > 0) out_.append("\r\n");
}

// Appends [first, first + length) of the content: from memory, read into the output when small,
// or spliced in with sendfile (the file is never read whole into memory).
void connection::append_window(std::uint64_t first, std::uint64_t length) {
  response& res = *res_;
  if (!res.has_file()) {
    out_.append(std::string_view(res.body()).substr(first, length));
    return;
  }
  const std::uint64_t offset = res.file_offset() + first;
  if (length <= inline_file_max) {
    std::size_t at = out_.size();
    out_.resize(at + length);
    ssize_t n = ::pread(res.file_fd(), out_.data() + at, length, static_cast<off_t>(offset));
    if (n != static_cast<ssize_t>(length)) {
      // The head is out already with this length: the only honest end is to close.
      out_.resize(at);
      keep_alive_ = false;
      close_after_flush_ = true;
    }
    return;
  }
  // A single window takes the descriptor over; the parts of a multipart answer share it.
  std::shared_ptr<const void> keeper;
  int fd = plan_.is_multipart() ? ::dup(res.file_fd()) : res.take_file(keeper);
  if (fd < 0) {
    keep_alive_ = false;
    close_after_flush_ = true;
    return;
  }
  files_.push_back({out_.size(), fd, offset, length, std::move(keeper)});
}

void connection::append_multipart() {
  for (const representation_plan::part& part : plan_.parts) {
    out_.append(part.head);
    append_window(part.first, part.length);
  }
  out_.append(plan_.closing);
}

void connection::reject(h1::parse_error e) {
  reject_with(h1::to_status(e));
}

void connection::reject_with(http::status s) {
  // The message cannot be trusted (or never finished): answer, then end the connection.
  worker_.loop().disarm(timer_);
  waiting_ = wait_for::nothing;
  keep_alive_ = false;
  response& res = *res_;
  res.reset(this);
  res.error(s);
  req_ = request{};
  site_ = nullptr;
  // Parse errors come before the head is known: the request's version is unknown, so the
  // answer is HTTP/1.1 with Connection: close (RFC 9112 §2.3 allows a 1.1 answer to 1.0).
  write_response();
  close_after_flush_ = true;
  phase_ = phase::head;
  in_end_ = msg_begin_;
  flush();
}

bool connection::send_interim(
    http::status code, std::span<const std::pair<std::string_view, std::string_view>> fields) {
  // 101 changes the protocol and is never an interim answer here; 100 belongs to the server.
  if (req_.version_minor < 1 || !interim_allowed_ || code == http::status::switching_protocols ||
      code == http::status::continue_)
    return false;
  h1::append_interim_head(out_, code, [&](auto&& emit) {
    for (const auto& [name, value] : fields)
      emit(name, value);
  });
  return flush();
}

deferred_response connection::make_deferred(response& res) {
  deferral_open_ = std::make_shared<bool>(true);
  (void)res;
  return deferred_response(res_, deferral_open_, this);
}

void connection::complete(response& res) {
  (void)res;
  deferral_open_.reset();
  if (in_dispatch_) {
    // send() inside the handler itself: dispatch() finishes the exchange when it returns.
    completed_in_dispatch_ = true;
    return;
  }
  finish_exchange();
  // Input that arrived meanwhile waits in the buffer and the socket: the edge has passed.
  read_input();
}

void connection::run_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  // A failing callback answers its exchange with a 500, as a failing handler does. The site
  // set stays alive until the callback has run: the client may leave and a reload replace the
  // sites meanwhile, and fn may use state of the handler that made it.
  // The connection itself may be gone by then (open says whether it is not): only the worker,
  // which outlives its timers, is reached without that check.
  std::shared_ptr<bool> open = deferral_open_;
  worker& w = worker_;
  w.run_after(delay, [this, &w, open, sites = sites_, fn = std::move(fn)] {
    try {
      fn();
    } catch (const std::exception& e) {
      w.log(log_level::error, std::string("a deferred callback failed: ") + e.what());
      if (open && *open) {
        *open = false;
        res_->reset(this);
        res_->error(http::status::internal_server_error);
        complete(*res_);
      }
    }
  });
}

bool connection::flush() {
  while (out_sent_ < out_.size() || !files_.empty()) {
    if (!files_.empty() && files_.front().at == out_sent_) {
      file_part& f = files_.front();
      off_t off = static_cast<off_t>(f.offset);
      long n = io::send_file(fd_, f.fd, &off, f.left);
      if (n == -EAGAIN) return wait_for_send();
      if (n <= 0) {
        close_now();
        return false;
      }
      f.offset = static_cast<std::uint64_t>(off);
      f.left -= static_cast<std::uint64_t>(n);
      if (f.left == 0) {
        f.release();
        files_.erase(files_.begin());
      }
      continue;
    }
    std::size_t end = files_.empty() ? out_.size() : files_.front().at;
    // Bytes that a file part follows (a head before its body) wait for it, as TCP_CORK would
    // have them: one segment instead of a small one and then the data.
    const int more = files_.empty() ? 0 : MSG_MORE;
    ssize_t n = ::send(fd_, out_.data() + out_sent_, end - out_sent_, MSG_NOSIGNAL | more);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return wait_for_send();
      close_now();
      return false;
    }
    out_sent_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_sent_ = 0;
  if (waiting_ == wait_for::send || (phase_ == phase::head && waiting_ == wait_for::nothing))
    rearm_for_input();
  if (close_after_flush_) {
    end_after_flush();
    return phase_ != phase::closed;
  }
  return true;
}

// The socket is full: wait for EPOLLOUT, but not forever (each flush that gets here has made
// progress or has just begun, so the clock restarts).
bool connection::wait_for_send() {
  arm(wait_for::send, worker_.options().limits.send_timeout);
  return true;
}

void connection::end_after_flush() {
  if (phase_ == phase::lingering) return;
  if (peer_eof_) return close_now();
  // Half-close and drain what the client still sends, so that the kernel does not answer
  // unread input with a reset that could destroy the response in flight.
  ::shutdown(fd_, SHUT_WR);
  phase_ = phase::lingering;
  arm(wait_for::linger, linger_time);
  read_input();
}

void connection::close_now() {
  if (phase_ == phase::closed) return;
  phase_ = phase::closed;
  worker_.loop().disarm(timer_);
  if (deferral_open_) *deferral_open_ = false;
  // A handler or a deferred handle may still hold the response: it must not reach us.
  res_->reset(nullptr);
  worker_.loop().remove(fd_);
  ::close(fd_);
  fd_ = -1;
  worker_.retire(this);
}

}  // namespace teapot::srv
