#include "server/upstream_exchange.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "base/ascii.h"
#include "base/monotonic_clock.h"
#include "http/field_lists.h"
#include "http/hop_by_hop.h"
#include "http/max_forwards.h"
#include "server/response_access.h"
#include "server/tunnel.h"
#include "server/worker.h"
#include "tls/client_context.h"

namespace teapot::srv {

namespace {

// Content waiting for the client past which the upstream is not read.
constexpr std::size_t relay_window = 256 * 1024;
constexpr std::size_t read_chunk = 64 * 1024;

// Fields the proxy writes itself, or that describe the client's connection to the proxy.
// Expect is the proxy's to answer: the server sent 100 Continue itself when the content was
// first read, and the proxy sends the content without waiting (RFC 9110 §10.1.1).
// Proxy-Authorization is for a proxy between the client and this server, never for the
// upstream behind it (§11.7.2): credentials are not passed on.
bool replaced_in_request(std::string_view name) {
  for (std::string_view n : {"Content-Length", "Expect", "Proxy-Authorization"})
    if (base::ascii::iequals(name, n)) return true;
  return false;
}

// RFC 7239 §4: for, proto and host of the client's request. A value that is not a token (an
// IPv6 address in brackets, a host with its port) is a quoted-string (§6); a Host of any other
// character is not sent rather than escaped (the codec has checked it is a valid authority).
void append_forwarded_element(std::string& out, std::string_view client, std::string_view proto,
                              std::optional<std::string_view> host) {
  const bool v6 = client.find(':') != std::string_view::npos;
  out.append("for=");
  if (v6) {
    out.append("\"[").append(client).append("]\"");
  } else {
    out.append(client);
  }
  out.append(";proto=").append(proto);
  if (host && !host->empty() &&
      std::all_of(host->begin(), host->end(), [](char c) { return c != '"' && c != '\\'; })) {
    if (std::all_of(host->begin(), host->end(), base::ascii::is_tchar)) {
      out.append(";host=").append(*host);
    } else {
      out.append(";host=\"").append(*host).append("\"");
    }
  }
}

// The authority of an absolute-form target ("http://a.example:8080/x" -> "a.example:8080").
std::optional<std::string_view> target_authority(std::string_view target) {
  if (target.empty() || target.front() == '/' || target == "*") return std::nullopt;
  const std::size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  target.remove_prefix(scheme + 3);
  return target.substr(0, target.find_first_of("/?"));
}

// RFC 9112 §3.2.2: absolute-form is for requests to a proxy; the upstream is an origin server
// to the proxy, so a target the client sent in absolute-form goes in origin-form (its
// authority becomes the Host, in start()).
void append_origin_form(std::string& out, std::string_view target) {
  if (!target.empty() && target.front() != '/' && target != "*") {
    const std::size_t scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      target.remove_prefix(scheme + 3);
      const std::size_t rest = target.find_first_of("/?");
      target = rest == std::string_view::npos ? std::string_view{} : target.substr(rest);
      if (target.empty() || target.front() == '?') out.push_back('/');
    }
  }
  out.append(target);
}

// RFC 9110 §7.8, RFC 6455 §4.1: an HTTP/1.1 GET that asks, in Upgrade and Connection, to
// become a WebSocket. The upgrade goes on to the upstream; no other protocol does (h2c is this
// server's own to take or leave, and a switch to one the proxy cannot check is refused).
bool asks_for_websocket(const request& req) {
  if (req.version_major != 1 || req.version_minor != 1 || req.method != "GET") return false;
  bool upgrade = false;
  bool connection = false;
  for (const header_field& f : req.headers) {
    if (base::ascii::iequals(f.name, "Upgrade"))
      upgrade = upgrade || http::list_has_token(f.value, "websocket");
    else if (base::ascii::iequals(f.name, "Connection"))
      connection = connection || http::list_has_token(f.value, "upgrade");
  }
  return upgrade && connection;
}

// RFC 9110 §7.6.3: received-protocol is the version of the message as this proxy received
// it, the name omitted for HTTP ("1.1", "2").
std::string_view received_protocol(const request& req) {
  if (req.version_major == 2) return "2";
  return req.version_minor == 0 ? "1.0" : "1.1";
}

// RFC 9110 §9.2.2.
bool idempotent(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    if (method == m) return true;
  return false;
}

// The length the client announced for its content, when it did (an HTTP/1.1 Content-Length the
// codec has checked, or an HTTP/2 content-length).
std::optional<std::uint64_t> announced_length(const request& req) {
  auto value = req.header("Content-Length");
  if (!value) return std::nullopt;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc{} || end != value->data() + value->size()) return std::nullopt;
  return n;
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

// Buffers of this thread's finished exchanges, for its next ones: a relay's buffers grow to
// its pieces' size (64 KiB and more), and the allocator hands memory it got back to the kernel
// meanwhile (a thread's arena is trimmed), so that each new request paid page faults to fill
// them again: a third of the proxy's CPU time for 64 KiB responses.
constexpr std::size_t spare_count = 8;
constexpr std::size_t spare_capacity_max = 1024 * 1024;

std::vector<std::string>& spare_buffers() {
  thread_local std::vector<std::string> spare;
  return spare;
}

std::string take_buffer() {
  std::vector<std::string>& spare = spare_buffers();
  if (spare.empty()) return {};
  std::string b = std::move(spare.back());
  spare.pop_back();
  b.clear();
  return b;
}

void give_buffer(std::string& b) noexcept {
  std::vector<std::string>& spare = spare_buffers();
  if (b.capacity() == 0 || b.capacity() > spare_capacity_max || spare.size() >= spare_count) return;
  try {
    spare.push_back(std::move(b));
  } catch (...) {  // NOLINT(bugprone-empty-catch): not kept, freed as before
  }
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

upstream_address resolve_upstream(const std::string& written) {
  upstream_address out;
  std::string_view text = written;
  if (text.starts_with("https://")) {
    out.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  }
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw std::invalid_argument("upstream '" + written + "' is not [v6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw std::invalid_argument("upstream '" + written + "' is not host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("upstream '" + written + "' has no valid port");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw std::invalid_argument("upstream '" + written + "': " + ::gai_strerror(rc));
  std::memcpy(&out.addr, found->ai_addr, found->ai_addrlen);
  out.len = found->ai_addrlen;
  out.name = written;
  out.authority.assign(text);
  out.host = host;
  ::freeaddrinfo(found);
  return out;
}

void proxy_state::count_upstreams() {
  down_until = std::make_unique<std::atomic<std::int64_t>[]>(upstreams.size());
  active = std::make_unique<std::atomic<std::uint32_t>[]>(upstreams.size());
}

upstream_pool& proxy_state::pool_of(const worker& w) {
  const std::lock_guard lock(pools_mutex_);
  for (auto& [owner, pool] : pools_)
    if (owner == &w) return *pool;
  pools_.emplace_back(&w, std::make_unique<upstream_pool>(upstreams.size(), options.keepalive,
                                                          options.keepalive_timeout));
  return *pools_.back().second;
}

upstream_exchange::upstream_exchange(worker& w, std::shared_ptr<proxy_state> state,
                                     deferred_response d)
    : worker_(w),
      state_(std::move(state)),
      deferred_(std::move(d)),
      request_(take_buffer()),
      received_(take_buffer()),
      content_(take_buffer()) {
  timer_.set_callback([this] { on_timer(); });
}

upstream_exchange::~upstream_exchange() {
  close_upstream();
  give_buffer(request_);
  give_buffer(received_);
  give_buffer(content_);
}

// RFC 9110 §7.6: the request goes with the proxy's own framing, without the hop-by-hop
// fields of the client's connection, and says it passed through (Via, §7.6.3; the de facto
// X-Forwarded-* for the upstream's logs and redirects).
void upstream_exchange::start(const request& req) {
  head_request_ = req.method == "HEAD";
  pool_ = &state_->pool_of(worker_);
  request_.reserve(512 + req.body.size());
  request_.append(req.method).append(" ");
  append_origin_form(request_, req.target);
  request_.append(" HTTP/1.1\r\n");
  const std::vector<std::string_view> hop = http::hop_by_hop_fields(req.headers);
  const forwarded_fields kind = state_->options.forwarded;
  const bool x_forwarded = kind == forwarded_fields::x_forwarded || kind == forwarded_fields::both;
  const bool rfc7239 = kind == forwarded_fields::forwarded || kind == forwarded_fields::both;
  std::string forwarded_for;  // the client's lists, to which the proxy's element is appended
  std::string forwarded;
  // RFC 9112 §3.2.2: with an absolute-form target the received Host is ignored and the
  // target's authority is the host, the one that chose the site: a Host naming another virtual
  // host of the upstream never reaches it.
  const std::optional<std::string_view> authority = target_authority(req.target);
  // §7.6.2: a TRACE's or OPTIONS's Max-Forwards goes one less (0 never comes here: the route
  // answered it).
  const http::max_forwards_step hops =
      http::max_forwards_for(req.method, req.header("Max-Forwards"));
  const bool count_down = hops.what == http::max_forwards_step::kind::forward;
  std::string via;  // §7.6.3: the received list, to which this proxy's entry is appended
  for (const header_field& f : req.headers) {
    if (http::is_hop_by_hop(f.name, hop) || replaced_in_request(f.name)) continue;
    if (base::ascii::iequals(f.name, "Via")) {
      via.append(via.empty() ? "" : ", ").append(f.value);
      continue;
    }
    if (count_down && base::ascii::iequals(f.name, "Max-Forwards")) continue;
    if (authority && base::ascii::iequals(f.name, "Host")) continue;
    if (x_forwarded && base::ascii::iequals(f.name, "X-Forwarded-For")) {
      forwarded_for.append(forwarded_for.empty() ? "" : ", ").append(f.value);
      continue;
    }
    if (x_forwarded && (base::ascii::iequals(f.name, "X-Forwarded-Proto") ||
                        base::ascii::iequals(f.name, "X-Forwarded-Host")))
      continue;
    if (rfc7239 && base::ascii::iequals(f.name, "Forwarded")) {
      forwarded.append(forwarded.empty() ? "" : ", ").append(f.value);
      continue;
    }
    request_.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  const std::string_view client = address_only(req.remote_address);
  const std::string_view proto = req.secure ? "https" : "http";
  const std::optional<std::string_view> host = authority ? authority : req.header("Host");
  if (authority) request_.append("Host: ").append(*authority).append("\r\n");
  if (x_forwarded) {
    request_.append("X-Forwarded-For: ");
    if (!forwarded_for.empty()) request_.append(forwarded_for).append(", ");
    request_.append(client).append("\r\n");
    request_.append("X-Forwarded-Proto: ").append(proto).append("\r\n");
    if (host) request_.append("X-Forwarded-Host: ").append(*host).append("\r\n");
  }
  if (rfc7239) {
    request_.append("Forwarded: ");
    if (!forwarded.empty()) request_.append(forwarded).append(", ");
    append_forwarded_element(request_, client, proto, host);
    request_.append("\r\n");
  }
  if (count_down)
    request_.append("Max-Forwards: ").append(std::to_string(hops.value)).append("\r\n");
  request_.append("Via: ");
  if (!via.empty()) request_.append(via).append(", ");
  request_.append(received_protocol(req)).append(" teapot\r\n");
  // The upgrade is hop-by-hop (§7.6.1), asked again of the next hop by the proxy itself. A
  // connection that switches protocols never goes back to the pool.
  // Over TLS the upstream's bytes need decrypting, which a tunnel (a socket's bytes both ways)
  // does not do: no upgrade goes to a route with https:// upstreams.
  upgrade_ = asks_for_websocket(req) && state_->tls_context == nullptr;
  if (upgrade_) {
    request_.append("Connection: Upgrade\r\nUpgrade: websocket\r\n");
  } else if (state_->options.keepalive == 0) {
    // Without a pool the upstream's close ends the exchange, and says so.
    request_.append("Connection: close\r\n");
  }
  // The content's framing is the proxy's own (RFC 9112 §6.3): its announced length, else
  // chunked; content gathered whole has its length.
  if (req.body_stream != nullptr) {
    if (auto n = announced_length(req)) {
      framing_ = framing::length;
      request_.append("Content-Length: ").append(std::to_string(*n)).append("\r\n");
    } else {
      framing_ = framing::chunked;
      request_.append("Transfer-Encoding: chunked\r\n");
    }
    request_complete_ = false;
  } else if (!req.body.empty() || req.method == "POST" || req.method == "PUT" ||
             req.method == "PATCH") {
    framing_ = framing::length;
    request_.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
  }
  request_.append("\r\n").append(req.body);
  replayable_ = idempotent(req.method) && req.body_stream == nullptr && req.body.empty();
  parser_.reset({.head = head_request_, .connect = false, .upgrade = upgrade_});
  body_ = req.body_stream;
  transcoding_.start(req, state_->options.transcode_legacy_text);
  connect_next();
  if (body_ != nullptr && phase_ != phase::over) read_content(body_);
}

void upstream_exchange::read_content(body_reader* body) {
  // The reader's callbacks keep the exchange: the client may send content while no upstream
  // connection holds it (a connection being replaced, say).
  std::shared_ptr<upstream_exchange> self = shared_from_this();
  body->read({
      .on_data = [self](std::string_view piece) { return self->take_request_content(piece); },
      .on_end = [self](std::span<const header_field>) { self->request_content_ended(); },
      .on_error = [self](body_error) { self->request_content_failed(); },
  });
}

// RFC 9112 §7.1: each piece as a chunk of its own when the length is not known; trailers of
// the client's are not forwarded (§7.1.2 lets a recipient drop them).
body_reader::flow upstream_exchange::take_request_content(std::string_view piece) {
  if (request_broken_ || phase_ == phase::over || piece.empty()) return body_reader::flow::more;
  if (framing_ == framing::chunked) {
    char size[20];
    const auto [end, ec] = std::to_chars(size, size + sizeof size, piece.size(), 16);
    request_.append(size, end).append("\r\n").append(piece).append("\r\n");
  } else {
    request_.append(piece);
  }
  if (phase_ != phase::connecting && fd_ >= 0) write_request();
  if (request_.size() - request_sent_ >= relay_window) {
    client_held_ = true;
    return body_reader::flow::hold;
  }
  return body_reader::flow::more;
}

void upstream_exchange::request_content_ended() {
  if (framing_ == framing::chunked) request_.append("0\r\n\r\n");
  request_complete_ = true;
  body_ = nullptr;
  if (phase_ != phase::connecting && fd_ >= 0 && !request_broken_) write_request();
}

// The client went away, or its content broke (the server answers it itself): the upstream's
// request can never be completed, nor its connection reused.
void upstream_exchange::request_content_failed() {
  body_ = nullptr;
  failed_ = true;
  close_upstream();
  phase_ = phase::over;
  if (auto s = source_.lock()) s->wake();
}

std::optional<std::size_t> upstream_exchange::pick(std::int64_t now, std::int64_t& back_ms) const {
  const std::size_t n = state_->upstreams.size();
  const std::size_t start = state_->next.fetch_add(1, std::memory_order_relaxed) % n;
  const bool least = state_->options.balance == proxy_balance::least_connections;
  std::optional<std::size_t> best;
  std::uint32_t best_active = 0;
  back_ms = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (start + k) % n;
    if (state_->health && !state_->health->in(i)) {
      // Back at the next check at the soonest.
      const std::int64_t next_check = now + state_->options.health_check.interval.count();
      if (back_ms == 0 || next_check < back_ms) back_ms = next_check;
      continue;
    }
    if (const std::int64_t until = state_->down_until[i].load(std::memory_order_relaxed);
        until > now) {
      if (back_ms == 0 || until < back_ms) back_ms = until;
      continue;
    }
    if (!least) return i;
    const std::uint32_t a = state_->active[i].load(std::memory_order_relaxed);
    if (!best || a < best_active) {
      best = i;
      best_active = a;
    }
  }
  return best;
}

void upstream_exchange::count_in() noexcept {
  if (counted_) return;
  state_->active[current_].fetch_add(1, std::memory_order_relaxed);
  counted_ = true;
}

void upstream_exchange::count_out() noexcept {
  if (!counted_) return;
  state_->active[current_].fetch_sub(1, std::memory_order_relaxed);
  counted_ = false;
}

void upstream_exchange::connect_next() {
  const std::int64_t now = base::monotonic_ms();
  std::int64_t back_soonest = 0;
  const std::optional<std::size_t> chosen = pick(now, back_soonest);
  if (!chosen) {
    // RFC 9110 §15.6.4: the upstreams are out for now, and when the first may be back is known.
    close_upstream();
    worker_.log(log_level::warn, "proxy: every upstream failed lately; 503");
    response& res = deferred_.res();
    res.error(http::status::service_unavailable);
    res.set_header("Retry-After",
                   std::to_string(std::max<std::int64_t>(1, (back_soonest - now + 999) / 1000)));
    send_answer();
    return;
  }
  current_ = *chosen;
  ++tried_;
  if (upstream_connection idle = pool_->take(current_, now); idle.fd >= 0) {
    fd_ = idle.fd;
    ssl_ = std::move(idle.ssl);
    reused_ = true;
    count_in();
    worker_.loop().add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
    self_ = shared_from_this();
    on_connected();
    return;
  }
  connect_current();
}

void upstream_exchange::connect_current() {
  reused_ = false;
  count_in();
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

bool upstream_exchange::retried() {
  if (heard_ || !replayable_) return false;
  const bool stale = reused_;  // the upstream closed an idle connection as it was taken
  if (!stale && tried_ >= state_->upstreams.size()) return false;
  worker_.log(log_level::info, "proxy: " + state_->upstreams[current_].name +
                                   (stale ? ": an idle connection was closed; sent again"
                                          : ": closed before its response head; next upstream"));
  std::shared_ptr<upstream_exchange> hold = shared_from_this();
  close_upstream();
  request_sent_ = 0;
  request_broken_ = false;  // a new connection takes the request whole
  received_.clear();
  parser_.reset({.head = head_request_, .connect = false, .upgrade = upgrade_});
  phase_ = phase::connecting;
  if (stale) {
    connect_current();
  } else {
    connect_next();
  }
  return true;
}

void upstream_exchange::on_io(std::uint32_t events) {
  std::shared_ptr<upstream_exchange> hold = shared_from_this();
  if (phase_ == phase::connecting && ssl_) return continue_tls();
  if (phase_ == phase::connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0)
      return connection_failed(http::status::bad_gateway, std::generic_category().message(err));
    if (state_->upstreams[current_].tls) return start_tls();
    on_connected();
    if (phase_ == phase::over) return;
  }
  if ((events & EPOLLOUT) && request_sent_ < request_.size() && !write_request()) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_upstream();
}

// RFC 8446 over the new connection, under connect_timeout still: the upstream's certificate
// checked against the route's trusted CAs and the name it was written with.
void upstream_exchange::start_tls() {
  ssl_ = tls::make_client(state_->tls_context.get(), fd_, state_->upstreams[current_].host);
  if (!ssl_) return connection_failed(http::status::bad_gateway, "TLS: cannot begin a handshake");
  continue_tls();
}

void upstream_exchange::continue_tls() {
  // SSL_get_error reads this thread's error queue, which must hold this call's errors only.
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) return on_connected();
  const int e = SSL_get_error(ssl_.get(), rc);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;  // the next readiness
  const std::string why = tls::client_failure(ssl_.get(), e);
  connection_failed(http::status::bad_gateway, why);
}

ssize_t upstream_exchange::send_some(const char* data, std::size_t size) {
  if (!ssl_) return ::send(fd_, data, size, MSG_NOSIGNAL);
  ERR_clear_error();
  const int n = SSL_write(ssl_.get(), data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
  if (n > 0) return n;
  const int e = SSL_get_error(ssl_.get(), n);
  ERR_clear_error();
  errno = e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? EAGAIN : EPIPE;
  return -1;
}

ssize_t upstream_exchange::receive_some(char* buffer, std::size_t size) {
  if (!ssl_) return ::read(fd_, buffer, size);
  ERR_clear_error();
  const int n =
      SSL_read(ssl_.get(), buffer, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
  if (n > 0) return n;
  const int e = SSL_get_error(ssl_.get(), n);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    errno = EAGAIN;
    return -1;
  }
  ERR_clear_error();
  // A close_notify, or a close without one (SSL_OP_IGNORE_UNEXPECTED_EOF: a response delimited
  // by the close, as many servers end it): the end of what the upstream sends, as a FIN is in
  // clear. A broken record, an alert or a reset: the connection failed.
  if (e == SSL_ERROR_ZERO_RETURN) return 0;
  errno = EPROTO;
  return -1;
}

void upstream_exchange::on_connected() {
  phase_ = phase::exchanging;
  worker_.loop().arm(timer_, state_->options.response_timeout);
  if (!write_request()) return;
  read_upstream();
}

bool upstream_exchange::write_request() {
  const std::size_t before = request_sent_;
  while (request_sent_ < request_.size()) {
    const ssize_t n = send_some(request_.data() + request_sent_, request_.size() - request_sent_);
    if (n > 0) {
      request_sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;  // EPOLLOUT goes on
    // The upstream closed before taking the whole request: it may still have answered (an
    // early 413, say), which the read that follows finds; the rest of the content is dropped.
    request_broken_ = true;
    request_sent_ = request_.size();
    break;
  }
  // The upstream takes the request: its clock starts again.
  if (request_sent_ > before && !request_broken_)
    worker_.loop().arm(timer_, state_->options.response_timeout);
  // What was sent is dropped once it is half the buffer (a copy of at most as much as was
  // sent), so that streamed content never piles up; a request that may be sent again keeps
  // all of it (it is a head only).
  if (!replayable_ && request_sent_ > 0 && request_sent_ * 2 >= request_.size()) {
    request_.erase(0, request_sent_);
    request_sent_ = 0;
  }
  if (client_held_ && (request_broken_ || request_.size() - request_sent_ < relay_window / 2)) {
    client_held_ = false;
    if (body_ != nullptr) body_->resume();
  }
  return true;
}

void upstream_exchange::read_upstream() {
  char buffer[read_chunk];
  while (fd_ >= 0 && !paused_) {
    const ssize_t n = receive_some(buffer, sizeof buffer);
    if (n > 0) {
      heard_ = true;
      worker_.loop().arm(timer_, state_->options.response_timeout);
      const std::string_view got(buffer, static_cast<std::size_t>(n));
      if (phase_ == phase::exchanging) {
        // The head is gathered; take_head passes what follows it to take_content.
        received_.append(got);
        if (!take_head()) return;
      } else if (phase_ == phase::content) {
        // Content is decoded from the read buffer itself: no copy, no allocation per read.
        take_content(got);
        if (phase_ == phase::over) return;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // The upstream closed (or failed).
    if (phase_ == phase::exchanging) {
      if (retried()) return;
      return answer(http::status::bad_gateway, "the upstream closed before its response head");
    }
    // RFC 9112 §8: a connection that fails (a reset, a broken TLS record) is no end of the
    // content, even of content the close delimits: the client must be able to tell.
    if (phase_ == phase::content && n < 0)
      return cut("the upstream's connection failed before the end of its content");
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
        parser_.reset({.head = head_request_, .connect = false, .upgrade = upgrade_});
        continue;
      case kind::done:
        break;
    }
    const h1::response_head& head = parser_.head();
    if (head.framing == h1::response_framing::tunnel) {
      if (!upgrade_ || head.status != 101) {
        answer(http::status::bad_gateway, "the upstream switched protocols unasked");
        return false;
      }
      switch_protocols(head, r.consumed);
      return false;
    }
    response& res = deferred_.res();
    res.set_status(static_cast<http::status>(head.status));
    std::string_view content_type;
    for (const header_field& f : head.fields) {
      // RFC 9110 §15.5.22: a 426 without its Upgrade tells the client nothing; the WebSocket
      // it names is an upgrade the proxy passes on (the others go, as on any response).
      const bool names_upgrade = head.status == 426 && base::ascii::iequals(f.name, "Upgrade") &&
                                 http::list_has_token(f.value, "websocket");
      if (!names_upgrade &&
          (http::is_hop_by_hop(f.name, head.connection_options) || replaced_in_response(f.name)))
        continue;
      if (names_upgrade) {
        res.add_header(f.name, "websocket");
        continue;
      }
      if (base::ascii::iequals(f.name, "Content-Type")) {
        content_type = f.value;
        continue;
      }
      res.add_header(f.name, f.value);
    }
    const bool no_content = head.framing == h1::response_framing::none;
    keep_alive_ = head.keep_alive && !head.framing_conflict;
    // A transcoded content's length is known only at its end (a HEAD's too: it has none).
    const bool transcoded = transcoding_.begin(head, content_type, res);
    decoder_.reset(head);
    phase_ = phase::content;
    // The content goes through a source even when empty: an upstream's 404 or 500 is relayed
    // as it is, never replaced by the proxy's own error page.
    auto source = std::make_shared<relay_source>(shared_from_this());
    source_ = source;
    source_given_ = true;
    if (transcoded) {
      ended_ = no_content;
      res.set_source(source, content_type, std::nullopt);
    } else if (no_content) {
      ended_ = true;
      res.set_source(source, content_type,
                     head.has_content_length ? head.content_length : std::uint64_t{0});
    } else if (head.framing == h1::response_framing::content_length) {
      res.set_source(source, content_type, head.content_length);
    } else {
      res.set_source(source, content_type, std::nullopt);
    }
    const std::size_t consumed = r.consumed;
    send_answer();
    if (no_content) {
      if (received_.size() > consumed) keep_alive_ = false;  // bytes no request asked for
      received_.clear();
      release_upstream();
      return false;
    }
    // What came after the head, decoded from where it is (nothing writes received_ meanwhile).
    take_content(std::string_view(received_).substr(consumed));
    received_.clear();
    return phase_ == phase::content;
  }
}

// RFC 9110 §15.2.2: the upstream's 101 goes to the client with its fields (Upgrade,
// Sec-WebSocket-Accept, -Protocol, -Extensions: the two ends agreed on them, the proxy only
// passes them), and the upstream's connection to the client's connection, which carries the
// bytes both ways from then on (tunnel.h), idle for response_timeout at most.
void upstream_exchange::switch_protocols(const h1::response_head& head, std::size_t consumed) {
  response& res = deferred_.res();
  res.set_status(http::status::switching_protocols);
  for (const header_field& f : head.fields) {
    if (base::ascii::iequals(f.name, "Upgrade")) {
      res.add_header(f.name, f.value);  // the protocol switched to, hop-by-hop as it is
      continue;
    }
    if (http::is_hop_by_hop(f.name, head.connection_options) || replaced_in_response(f.name))
      continue;
    res.add_header(f.name, f.value);
  }
  worker_.loop().disarm(timer_);
  worker_.loop().remove(fd_);
  auto handoff = std::make_shared<tunnel_handoff>(fd_, state_->options.response_timeout);
  fd_ = -1;
  handoff->from_destination.assign(received_, consumed);
  received_.clear();
  response_access::set_tunnel(res, std::move(handoff));
  std::shared_ptr<upstream_exchange> hold = shared_from_this();
  close_upstream();  // what is left of the exchange: its count, its registration
  send_answer();
}

void upstream_exchange::take_content(std::string_view bytes) {
  for (;;) {
    const h1::response_body_decoder::result r = decoder_.decode(bytes);
    using kind = h1::response_body_decoder::result::kind;
    if (r.outcome == kind::error) return cut(h1::describe(r.error));
    if (!r.data.empty()) {
      // What the client took is dropped once it is half the buffer, so that a client that
      // never quite catches up does not make it grow.
      if (content_at_ > 0 && content_at_ * 2 >= content_.size()) {
        content_.erase(0, content_at_);
        content_at_ = 0;
      }
      if (transcoding_.active())
        transcoding_.convert(r.data, content_);
      else
        content_.append(r.data);
    }
    bytes.remove_prefix(r.consumed);
    if (r.outcome == kind::done) {
      if (!bytes.empty()) keep_alive_ = false;  // bytes no request asked for
      return content_ended();
    }
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
  transcoding_.finish(content_);
  for (const header_field& f : decoder_.trailers())
    trailers_.emplace_back(f.name, f.value);
  ended_ = true;
  release_upstream();
  if (auto s = source_.lock()) s->wake();
}

// Once the answer is out the server reads no more of the client's content (the rest is not
// wanted), and its reader belongs to the client's exchange, whose working set the server
// reuses once the exchange is over: nothing here may reach it any more. The upstream's
// connection stays as it is (a failover before the answer needs it; after it, the content may
// still be relayed).
void upstream_exchange::send_answer() {
  body_ = nullptr;
  client_held_ = false;
  deferred_.send();
}

void upstream_exchange::answer(http::status s, std::string_view why) {
  close_upstream();
  if (source_given_) return cut(why);
  worker_.log(log_level::warn, std::string("proxy: ") + std::string(why));
  deferred_.res().error(s);
  send_answer();
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
  count_out();
  worker_.loop().disarm(timer_);
  ssl_.reset();
  if (fd_ >= 0) {
    worker_.loop().remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  if (phase_ != phase::content || ended_ || failed_) phase_ = phase::over;
  self_.reset();
}

void upstream_exchange::release_upstream() noexcept {
  if (fd_ >= 0 && keep_alive_ && request_complete_ && !request_broken_ &&
      request_sent_ == request_.size()) {
    worker_.loop().disarm(timer_);
    worker_.loop().remove(fd_);
    pool_->put(current_, {fd_, std::move(ssl_)}, base::monotonic_ms());
    fd_ = -1;
  }
  close_upstream();
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
