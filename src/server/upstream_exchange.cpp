#include "server/upstream_exchange.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "base/ascii.h"
#include "base/monotonic_clock.h"
#include "http/hop_by_hop.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

// Content waiting for the client past which the upstream is not read.
constexpr std::size_t relay_window = 256 * 1024;
constexpr std::size_t read_chunk = 64 * 1024;

// Fields the proxy writes itself, or that describe the client's connection to the proxy.
bool replaced_in_request(std::string_view name) {
  for (std::string_view n : {"Content-Length", "Via", "X-Forwarded-Proto", "X-Forwarded-Host"})
    if (base::ascii::iequals(name, n)) return true;
  return false;
}

// The upstream's own Date and Server are not the proxy's to send: the proxy sends its own.
bool replaced_in_response(std::string_view name) {
  return base::ascii::iequals(name, "Date") || base::ascii::iequals(name, "Server");
}

// "127.0.0.1:54321" -> "127.0.0.1", "[::1]:54321" -> "::1": X-Forwarded-For names the address.
std::string_view address_only(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') return peer.substr(1, peer.find(']') - 1);
  return peer.substr(0, peer.rfind(':'));
}

class relay_source final : public body_source {
 public:
  explicit relay_source(std::shared_ptr<upstream_exchange> up) : up_(std::move(up)) {}
  pulled pull(std::span<char> into) override { return up_->pull(into); }
  void trailers(std::vector<std::pair<std::string, std::string>>& out) override {
    up_->trailers(out);
  }
  void cancelled() noexcept override { up_->cancelled(); }

 private:
  std::shared_ptr<upstream_exchange> up_;
};

}  // namespace

upstream_address resolve_upstream(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw std::invalid_argument("upstream '" + text + "' is not [v6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw std::invalid_argument("upstream '" + text + "' is not host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("upstream '" + text + "' has no valid port");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw std::invalid_argument("upstream '" + text + "': " + ::gai_strerror(rc));
  upstream_address out;
  std::memcpy(&out.addr, found->ai_addr, found->ai_addrlen);
  out.len = found->ai_addrlen;
  out.name = text;
  ::freeaddrinfo(found);
  return out;
}

upstream_exchange::upstream_exchange(worker& w, std::shared_ptr<proxy_state> state,
                                     deferred_response d)
    : worker_(w), state_(std::move(state)), deferred_(std::move(d)) {
  timer_.set_callback([this] { on_timer(); });
}

upstream_exchange::~upstream_exchange() {
  close_upstream();
}

// RFC 9110 §7.6: the request goes with the proxy's own framing, without the hop-by-hop
// fields of the client's connection, and says it passed through (Via, §7.6.3; the de facto
// X-Forwarded-* for the upstream's logs and redirects).
void upstream_exchange::start(const request& req) {
  head_request_ = req.method == "HEAD";
  request_.reserve(512 + req.body.size());
  request_.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");
  const std::vector<std::string_view> hop = http::hop_by_hop_fields(req.headers);
  std::string_view forwarded_for;
  for (const header_field& f : req.headers) {
    if (http::is_hop_by_hop(f.name, hop) || replaced_in_request(f.name)) continue;
    if (base::ascii::iequals(f.name, "X-Forwarded-For")) {
      forwarded_for = f.value;
      continue;
    }
    request_.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  request_.append("X-Forwarded-For: ");
  if (!forwarded_for.empty()) request_.append(forwarded_for).append(", ");
  request_.append(address_only(req.remote_address)).append("\r\n");
  request_.append("X-Forwarded-Proto: ").append(req.secure ? "https" : "http").append("\r\n");
  if (auto host = req.header("Host"))
    request_.append("X-Forwarded-Host: ").append(*host).append("\r\n");
  request_.append("Via: 1.1 teapot\r\n");
  // One request per connection for now: the upstream's close ends a close-delimited body.
  request_.append("Connection: close\r\n");
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
    request_.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
  request_.append("\r\n").append(req.body);
  parser_.reset({.head = head_request_, .connect = false, .upgrade = false});
  connect_next();
}

void upstream_exchange::connect_next() {
  const std::size_t n = state_->upstreams.size();
  const std::int64_t now = base::monotonic_ms();
  std::int64_t back_soonest = 0;
  bool found = false;
  for (std::size_t i = 0; i < n && !found; ++i) {
    current_ = state_->next.fetch_add(1, std::memory_order_relaxed) % n;
    const std::int64_t until = state_->down_until[current_].load(std::memory_order_relaxed);
    found = until <= now;
    if (!found && (back_soonest == 0 || until < back_soonest)) back_soonest = until;
  }
  if (!found) {
    // RFC 9110 §15.6.4: the upstreams are out for now, and when the first comes back is known.
    close_upstream();
    worker_.log(log_level::warn, "proxy: every upstream failed lately; 503");
    response& res = deferred_.res();
    res.error(http::status::service_unavailable);
    res.set_header("Retry-After",
                   std::to_string(std::max<std::int64_t>(1, (back_soonest - now + 999) / 1000)));
    deferred_.send();
    return;
  }
  ++tried_;
  const upstream_address& a = state_->upstreams[current_];
  fd_ = ::socket(a.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return answer(http::status::bad_gateway, std::generic_category().message(errno));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  phase_ = phase::connecting;
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a.addr), a.len) != 0 &&
      errno != EINPROGRESS) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    return connection_failed(http::status::bad_gateway, std::generic_category().message(err));
  }
  worker_.loop().add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  worker_.loop().arm(timer_, state_->options.connect_timeout);
  // Kept alive by its registration until the upstream connection is closed.
  self_ = shared_from_this();
}

void upstream_exchange::connection_failed(http::status status, std::string_view why) {
  state_->down_until[current_].store(base::monotonic_ms() + state_->options.fail_timeout.count(),
                                     std::memory_order_relaxed);
  worker_.log(log_level::warn,
              "proxy: " + state_->upstreams[current_].name + ": " + std::string(why));
  std::shared_ptr<upstream_exchange> hold = shared_from_this();
  close_upstream();
  phase_ = phase::connecting;
  if (tried_ < state_->upstreams.size()) return connect_next();
  answer(status, why);
}

void upstream_exchange::on_io(std::uint32_t events) {
  std::shared_ptr<upstream_exchange> hold = shared_from_this();
  if (phase_ == phase::connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0)
      return connection_failed(http::status::bad_gateway, std::generic_category().message(err));
    on_connected();
    if (phase_ == phase::over) return;
  }
  if ((events & EPOLLOUT) && request_sent_ < request_.size() && !write_request()) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_upstream();
}

void upstream_exchange::on_connected() {
  phase_ = phase::exchanging;
  worker_.loop().arm(timer_, state_->options.response_timeout);
  if (!write_request()) return;
  read_upstream();
}

bool upstream_exchange::write_request() {
  while (request_sent_ < request_.size()) {
    const ssize_t n =
        ::send(fd_, request_.data() + request_sent_, request_.size() - request_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      request_sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;  // EPOLLOUT goes on
    // The upstream closed before taking the request: it may still have answered (an early
    // 413, say), which the read that follows finds.
    request_sent_ = request_.size();
    return true;
  }
  return true;
}

void upstream_exchange::read_upstream() {
  char buffer[read_chunk];
  while (fd_ >= 0 && !paused_) {
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n > 0) {
      worker_.loop().arm(timer_, state_->options.response_timeout);
      received_.append(buffer, static_cast<std::size_t>(n));
      if (phase_ == phase::exchanging && !take_head()) return;
      if (phase_ == phase::content) {
        std::string bytes;
        bytes.swap(received_);
        take_content(bytes);
        if (phase_ == phase::over) return;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // The upstream closed (or failed).
    if (phase_ == phase::exchanging)
      return answer(http::status::bad_gateway, "the upstream closed before its response head");
    if (phase_ == phase::content) {
      const h1::response_body_decoder::result r = decoder_.end_of_input();
      if (r.outcome == h1::response_body_decoder::result::kind::done) return content_ended();
      return cut("the upstream closed before the end of its content");
    }
    return;
  }
}

// RFC 9110 §15.2: a proxy forwards the 1xx responses it receives, in order, before the final
// one, but for 100 Continue, which answered the proxy's own request (its content is sent whole
// already); a client that cannot take them (HTTP/1.0) gets none. The final head goes to the
// client through the deferred response.
void upstream_exchange::relay_interim(const h1::response_head& head) {
  if (head.status == 100) return;
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  for (const header_field& f : head.fields)
    if (!http::is_hop_by_hop(f.name, head.connection_options)) fields.emplace_back(f.name, f.value);
  deferred_.res().send_interim(static_cast<http::status>(head.status), fields);
}

// The response head: interim ones relayed, the final one answered with.
bool upstream_exchange::take_head() {
  for (;;) {
    const h1::response_parse_result r = parser_.parse(received_);
    using kind = h1::response_parse_result::kind;
    switch (r.outcome) {
      case kind::need_more:
        return false;
      case kind::error:
        answer(http::status::bad_gateway, h1::describe(r.error));
        return false;
      case kind::interim:
        relay_interim(parser_.head());
        received_.erase(0, r.consumed);
        parser_.reset({.head = head_request_, .connect = false, .upgrade = false});
        continue;
      case kind::done:
        break;
    }
    const h1::response_head& head = parser_.head();
    if (head.framing == h1::response_framing::tunnel) {
      answer(http::status::bad_gateway, "the upstream switched protocols unasked");
      return false;
    }
    response& res = deferred_.res();
    res.set_status(static_cast<http::status>(head.status));
    std::string_view content_type;
    for (const header_field& f : head.fields) {
      if (http::is_hop_by_hop(f.name, head.connection_options) || replaced_in_response(f.name))
        continue;
      if (base::ascii::iequals(f.name, "Content-Type")) {
        content_type = f.value;
        continue;
      }
      res.add_header(f.name, f.value);
    }
    const bool no_content = head.framing == h1::response_framing::none;
    decoder_.reset(head);
    phase_ = phase::content;
    // The content goes through a source even when empty: an upstream's 404 or 500 is relayed
    // as it is, never replaced by the proxy's own error page.
    auto source = std::make_shared<relay_source>(shared_from_this());
    source_ = source;
    source_given_ = true;
    if (no_content) {
      ended_ = true;
      res.set_source(source, content_type,
                     head.has_content_length ? head.content_length : std::uint64_t{0});
    } else if (head.framing == h1::response_framing::content_length) {
      res.set_source(source, content_type, head.content_length);
    } else {
      res.set_source(source, content_type, std::nullopt);
    }
    const std::size_t consumed = r.consumed;
    std::string rest = received_.substr(consumed);
    received_.clear();
    deferred_.send();
    if (no_content) {
      close_upstream();
      return false;
    }
    take_content(rest);
    return phase_ == phase::content;
  }
}

void upstream_exchange::take_content(std::string_view bytes) {
  for (;;) {
    const h1::response_body_decoder::result r = decoder_.decode(bytes);
    using kind = h1::response_body_decoder::result::kind;
    if (r.outcome == kind::error) return cut(h1::describe(r.error));
    if (!r.data.empty()) {
      if (content_at_ == content_.size()) {
        content_.clear();
        content_at_ = 0;
      }
      content_.append(r.data);
    }
    bytes.remove_prefix(r.consumed);
    if (r.outcome == kind::done) return content_ended();
    if (r.outcome == kind::need_more || bytes.empty()) break;
  }
  if (content_.size() - content_at_ >= relay_window) {
    // The client is slower than the upstream: the upstream waits, and its clock with it.
    paused_ = true;
    worker_.loop().disarm(timer_);
  }
  if (auto s = source_.lock()) s->wake();
}

void upstream_exchange::content_ended() {
  for (const header_field& f : decoder_.trailers())
    trailers_.emplace_back(f.name, f.value);
  ended_ = true;
  close_upstream();
  if (auto s = source_.lock()) s->wake();
}

void upstream_exchange::answer(http::status s, std::string_view why) {
  close_upstream();
  if (source_given_) return cut(why);
  worker_.log(log_level::warn, std::string("proxy: ") + std::string(why));
  deferred_.res().error(s);
  deferred_.send();
}

void upstream_exchange::cut(std::string_view why) {
  worker_.log(log_level::warn, std::string("proxy: ") + std::string(why));
  failed_ = true;
  close_upstream();
  if (auto s = source_.lock()) s->wake();
}

void upstream_exchange::on_timer() {
  std::shared_ptr<upstream_exchange> hold = shared_from_this();
  if (phase_ == phase::content) return cut("the upstream's content stopped");
  if (phase_ == phase::connecting)
    return connection_failed(http::status::gateway_timeout,
                             "no connection to the upstream in time");
  answer(http::status::gateway_timeout, "no response head from the upstream in time");
}

void upstream_exchange::close_upstream() noexcept {
  worker_.loop().disarm(timer_);
  if (fd_ >= 0) {
    worker_.loop().remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  if (phase_ != phase::content || ended_ || failed_) phase_ = phase::over;
  self_.reset();
}

body_source::pulled upstream_exchange::pull(std::span<char> into) {
  const std::size_t waiting = content_.size() - content_at_;
  const std::size_t n = std::min(waiting, into.size());
  std::memcpy(into.data(), content_.data() + content_at_, n);
  content_at_ += n;
  if (content_at_ == content_.size()) {
    if (ended_) return {n, body_source::next::end};
    if (failed_) return {n, body_source::next::fail};
  }
  if (paused_ && content_.size() - content_at_ < relay_window / 2) {
    paused_ = false;
    worker_.loop().post([weak = weak_from_this()] {
      if (auto up = weak.lock()) up->resume_reading();
    });
  }
  return {n, n > 0 ? body_source::next::more : body_source::next::wait};
}

void upstream_exchange::resume_reading() {
  if (fd_ < 0 || paused_) return;
  worker_.loop().arm(timer_, state_->options.response_timeout);
  read_upstream();
}

void upstream_exchange::trailers(std::vector<std::pair<std::string, std::string>>& out) const {
  out = trailers_;
}

void upstream_exchange::cancelled() noexcept {
  failed_ = true;
  close_upstream();
}

}  // namespace teapot::srv
