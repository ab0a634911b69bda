#include "server/worker.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <string>

#include "base/thread_caches.h"
#include "http/date.h"
#include "io/listener.h"
#include "server/compression/body_cache.h"
#include "server/h1_connection.h"

namespace teapot::srv {

// Readiness of one listening socket.
class worker::acceptor final : public io::fd_handler {
 public:
  acceptor(worker& w, int fd, std::shared_ptr<const tls::context_set> tls)
      : worker_(w), fd_(fd), tls_(std::move(tls)) {}
  ~acceptor() override { close(); }
  void on_io(std::uint32_t) override { worker_.accept_from(fd_, tls_); }
  void close() noexcept {
    if (fd_ < 0) return;
    worker_.loop().remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  int fd() const noexcept { return fd_; }
  // A plain listener stays plain.
  void adopt_tls(const std::shared_ptr<const tls::context_set>& tls) {
    if (tls_) tls_ = tls;
  }

 private:
  worker& worker_;
  int fd_;
  std::shared_ptr<const tls::context_set> tls_;
};

namespace {

// How long a refused connection may keep sending before it is closed anyway, and how many
// may linger at once (past that, they are closed at once and may see a reset).
constexpr std::chrono::milliseconds refusal_linger{1000};
constexpr std::size_t max_lingering_refusals = 256;
// Working sets (about 25 KiB each) kept for the next busy connections: enough for a burst of
// concurrent requests without allocating, and little memory once they are over.
constexpr std::size_t max_spare_sets = 128;

// Sends answer past its first `sent` bytes, until all is out or the socket takes no more.
// False when the socket failed.
bool send_answer(int fd, const overload_answer& answer, std::string_view date, std::size_t& sent) {
  while (sent < answer.size()) {
    std::array<iovec, 3> pieces = answer.pieces(date);
    std::size_t first = 0;
    for (std::size_t skip = sent; skip > 0;) {  // what is out already
      const std::size_t part = std::min(skip, pieces[first].iov_len);
      pieces[first].iov_base = static_cast<char*>(pieces[first].iov_base) + part;
      pieces[first].iov_len -= part;
      skip -= part;
      if (pieces[first].iov_len == 0) ++first;
    }
    msghdr m{};
    m.msg_iov = pieces.data() + first;
    m.msg_iovlen = pieces.size() - first;
    const ssize_t n = ::sendmsg(fd, &m, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

h1::parser_config parser_config_for(const server_options& options) {
  // The body limit depends on the path: the connection applies it (limits::body_for), so that
  // it can differ under a prefix and a site's 413 page can answer it.
  constexpr std::uint64_t any_body = ~std::uint64_t{0};
  h1::parser_config c;
  c.limits = h1::parser_limits(options.limits);
  c.limits.body = any_body;
  c.methods = options.methods;
  return c;
}

// A connection past limits.max_connections: the 503 written at once, then closed. What the
// client sends meanwhile is read and discarded for a moment, because closing a socket with
// unread input sends a reset, which may destroy the 503 before the client has read it.
class worker::refusal final : public io::fd_handler {
 public:
  refusal(worker& w, int fd) : worker_(w), fd_(fd) {
    timer_.set_callback([this] { finish(); });
  }
  ~refusal() override { finish(); }

  // answer is held until its last byte is out: the socket is new and its buffer empty, so
  // that is at once unless the site's own 503 page is larger than the buffer.
  void start(std::shared_ptr<const overload_answer> answer, std::string_view date) {
    answer_ = std::move(answer);
    date.copy(date_, sizeof date_);
    worker_.loop().add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
    worker_.loop().arm(timer_, refusal_linger);
    on_io(EPOLLIN | EPOLLOUT);
  }

  void on_io(std::uint32_t) override {
    if (answer_ && !write_answer()) return finish();
    char sink[4096];
    for (;;) {
      ssize_t n = ::read(fd_, sink, sizeof sink);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      // The client has finished sending: once the answer is out, nothing is left to wait for.
      if (n == 0 && answer_) return;
      return finish();
    }
  }

 private:
  bool write_answer() {
    if (!send_answer(fd_, *answer_, {date_, sizeof date_}, sent_)) return false;
    if (sent_ < answer_->size()) return true;
    answer_.reset();
    ::shutdown(fd_, SHUT_WR);
    return true;
  }

  void finish() noexcept {
    if (fd_ < 0) return;
    worker_.loop().disarm(timer_);
    worker_.loop().remove(fd_);
    ::close(fd_);
    fd_ = -1;
    answer_.reset();
    worker_.retired_refusals_.push_back(this);
  }

  worker& worker_;
  int fd_;
  io::timer timer_;
  std::shared_ptr<const overload_answer> answer_;  // until it is all out
  std::size_t sent_ = 0;
  char date_[http::imf_fixdate_size] = {};
};

worker::worker(const server_options& options, std::shared_ptr<const site_set> sites,
               const h1::parser_config& config, connection_counts& counts, io::work_pool& pool)
    : options_(options),
      sites_(std::move(sites)),
      parser_config_(config),
      counts_(counts),
      pool_(pool) {
  if (options.access_log.file) access_format_ = options.access_log.format;
  render_overload_answer();
  drain_timer_.set_callback([this] {
    // The drain timeout has passed: whatever is still open is cut.
    while (connections_) {
      h1_connection* c = connections_;
      forget(c);
      delete c;
    }
    loop_.stop();
  });
  loop_.set_after_batch([this] {
    collect_retired();
    hand_access_lines();
  });
  accept_retry_.set_callback([this] {
    if (!draining_) accept_from(accept_retry_fd_, accept_retry_tls_);
  });
}

worker::~worker() {
  acceptors_.clear();
  collect_retired();
  while (connections_) {
    h1_connection* c = connections_;
    forget(c);
    delete c;
  }
  refusals_.clear();
  retired_refusals_.clear();
  hand_access_lines();
}

void worker::add_listener(int fd, bool shared, std::shared_ptr<const tls::context_set> tls) {
  acceptors_.push_back(std::make_unique<acceptor>(*this, fd, std::move(tls)));
  // EPOLLEXCLUSIVE with edge triggering loses no connection: a worker that is busy when one
  // arrives still gets the event queued, and each accepts until EAGAIN when it looks.
  loop_.add(fd, shared ? EPOLLIN | EPOLLEXCLUSIVE : EPOLLIN, acceptors_.back().get());
}

namespace {
thread_local worker* this_threads_worker = nullptr;
}  // namespace

worker* worker::on_this_thread() noexcept {
  return this_threads_worker;
}

void worker::run() {
  thread_ = std::this_thread::get_id();
  this_threads_worker = this;
  // An exception that escapes a callback leaves run() with the loop intact: report it and go
  // on serving the other connections rather than end the thread (and the process).
  for (;;) {
    try {
      loop_.run();
      return;
    } catch (const std::exception& e) {
      log(log_level::error, std::string("worker: ") + e.what());
    } catch (...) {
      log(log_level::error, "worker: unknown exception");
    }
  }
}

void worker::adopt_sites(std::shared_ptr<const site_set> sites) {
  loop_.post([this, sites = std::move(sites)]() mutable {
    sites_ = std::move(sites);
    metrics_.forget_sites();
    render_overload_answer();  // the default site's 503 page may have changed
    for (auto& set : spare_sets_)
      set->ex.sites.reset();
    // The handlers of the sites just left may never run on this thread again: what they keep
    // here (open descriptors among it) goes now, and only this thread may touch it.
    base::release_thread_caches();
  });
}

void worker::adopt_tls(std::shared_ptr<const tls::context_set> tls) {
  loop_.post([this, tls = std::move(tls)] {
    for (auto& a : acceptors_)
      a->adopt_tls(tls);
    if (accept_retry_tls_) accept_retry_tls_ = tls;
  });
}

// The busy ones first (what an operator looks for), then the waiting ones, 100 at most.
void worker::list_connections(std::vector<connection_row>& out) const {
  constexpr std::size_t most = 100;
  const std::int64_t now = loop_.now_ms();
  std::vector<connection_row> waiting;
  for (const h1_connection* c = connections_; c != nullptr; c = c->next_) {
    connection_row row = c->describe(now);
    if (row.state == "waiting")
      waiting.push_back(std::move(row));
    else if (out.size() < most)
      out.push_back(std::move(row));
  }
  for (connection_row& row : waiting) {
    if (out.size() >= most) break;
    out.push_back(std::move(row));
  }
}

void worker::snapshot_metrics(std::function<void(metrics_totals)> fn, bool with_status) {
  loop_.post([this, fn = std::move(fn), with_status] {
    const compression::body_cache& cache = compression::body_cache::for_this_thread();
    metrics_totals copy = metrics_.snapshot(connection_count_, waiting_count_, cache.hits(),
                                            cache.misses(), with_status);
    if (with_status) list_connections(copy.status.connections);
    fn(std::move(copy));
  });
}

void worker::log_access(const access_entry& entry) {
  if (access_format_) append_access_line(*access_format_, entry, access_lines_);
}

void worker::hand_access_lines() {
  if (access_lines_.empty()) return;
  options_.access_log.file->write(access_lines_);
  access_lines_.clear();
}

void worker::log(log_level level, std::string_view message) const {
  options_.error_log->write(level, message);
}

void worker::run_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto owned = std::make_unique<one_shot>();
  one_shot* s = owned.get();
  s->fn = std::move(fn);
  s->timer.set_callback([this, s] {
    auto node = one_shots_.extract(s);  // alive while it runs, freed after
    node.mapped()->fn();
  });
  one_shots_.emplace(s, std::move(owned));
  loop_.arm(s->timer, delay);
}

void worker::stop_gracefully() {
  loop_.post([this] { begin_drain(); });
}

std::string_view worker::date() noexcept {
  std::time_t now = std::time(nullptr);
  if (now != date_second_) {
    date_second_ = now;
    http::format_imf_fixdate(now, date_);
  }
  return {date_, sizeof date_};
}

void worker::accept_from(int listen_fd, const std::shared_ptr<const tls::context_set>& tls) {
  for (;;) {
    io::socket_address peer;
    int fd = io::accept_one(listen_fd, &peer);
    if (fd < 0) {
      // Out of descriptors: the connection stays queued, and with edge-triggered readiness no
      // new event will come for it, so look again shortly.
      if (errno == EMFILE || errno == ENFILE) {
        accept_retry_fd_ = listen_fd;
        accept_retry_tls_ = tls;
        loop_.arm(accept_retry_, std::chrono::milliseconds(100));
      }
      return;
    }
    if (draining_) {
      ::close(fd);
      continue;
    }
    const address_key from = address_key::of(peer.storage);
    if (!admit(from)) {
      // The 503 is HTTP in the clear, which a TLS client cannot read: it is refused without
      // an answer (answering would take a handshake, the work the cap is there to spare).
      if (tls) {
        if (counts_metrics()) metrics_.count_refused();
        ::close(fd);
      } else {
        refuse(fd);
      }
      continue;
    }
    auto* c = new h1_connection(*this, fd, peer.to_string(), from, tls);
    c->next_ = connections_;
    if (connections_) connections_->prev_ = c;
    connections_ = c;
    ++connection_count_;
    if (counts_metrics()) metrics_.count_accepted();
    c->start();
  }
}

// One more open connection, unless its address has its share already, or the server-wide
// cap is reached and no connection of this worker waits for a request to give its place.
// Counted only with a cap: without one, workers share no counter at all.
bool worker::admit(const address_key& from) {
  const limits& l = options_.limits;
  const std::size_t per_address = l.max_connections_per_address;
  if (per_address > 0 && !counts_.by_address.try_add(from, per_address)) return false;
  const std::size_t cap = l.max_connections;
  if (cap == 0 || counts_.open.fetch_add(1, std::memory_order_relaxed) < cap) return true;
  counts_.open.fetch_sub(1, std::memory_order_relaxed);
  if (make_room()) return true;
  if (per_address > 0) counts_.by_address.remove(from);
  return false;
}

// The connection that has waited longest for a request closes, and its place (in the
// server-wide count) passes to the new one without being freed, so that another worker
// cannot take it meanwhile. Only this worker's connections are looked at: the kernel spreads
// new connections over the workers, and so, in time, their waiting ones.
bool worker::make_room() {
  h1_connection* c = waiting_front_;
  if (c == nullptr) return false;
  handing_over_ = true;
  c->give_way();  // closes it: forget() runs now
  handing_over_ = false;
  return true;
}

void worker::queue_waiting(h1_connection* c) noexcept {
  if (c->wait_prev_ || waiting_front_ == c) return;
  ++waiting_count_;
  c->wait_next_ = nullptr;
  c->wait_prev_ = waiting_back_;
  if (waiting_back_)
    waiting_back_->wait_next_ = c;
  else
    waiting_front_ = c;
  waiting_back_ = c;
}

void worker::unqueue_waiting(h1_connection* c) noexcept {
  if (!c->wait_prev_ && waiting_front_ != c) return;
  --waiting_count_;
  if (c->wait_prev_)
    c->wait_prev_->wait_next_ = c->wait_next_;
  else
    waiting_front_ = c->wait_next_;
  if (c->wait_next_)
    c->wait_next_->wait_prev_ = c->wait_prev_;
  else
    waiting_back_ = c->wait_prev_;
  c->wait_prev_ = c->wait_next_ = nullptr;
}

void worker::refuse(int fd) {
  if (counts_metrics()) metrics_.count_refused();
  if (refusals_.size() >= max_lingering_refusals) {
    std::size_t sent = 0;
    send_answer(fd, *overload_, date(), sent);
    ::close(fd);
    return;
  }
  auto owned = std::make_unique<refusal>(*this, fd);
  refusal* r = owned.get();
  refusals_.emplace(r, std::move(owned));
  r->start(overload_, date());
}

void worker::render_overload_answer() {
  const limits& l = options_.limits;
  if (l.max_connections == 0 && l.max_connections_per_address == 0) return;  // nobody is refused
  overload_ = std::make_shared<const overload_answer>(options_, sites_->table.fallback);
}

void worker::forget(h1_connection* c) noexcept {
  if (c->prev_) c->prev_->next_ = c->next_;
  if (c->next_) c->next_->prev_ = c->prev_;
  if (connections_ == c) connections_ = c->next_;
  c->prev_ = c->next_ = nullptr;
  unqueue_waiting(c);
  --connection_count_;
  if (options_.limits.max_connections > 0 && !handing_over_)
    counts_.open.fetch_sub(1, std::memory_order_relaxed);
  if (options_.limits.max_connections_per_address > 0) counts_.by_address.remove(c->peer_key());
}

std::unique_ptr<h1_working_set> worker::take_working_set() {
  if (spare_sets_.empty()) return std::make_unique<h1_working_set>(*this);
  std::unique_ptr<h1_working_set> set = std::move(spare_sets_.back());
  spare_sets_.pop_back();
  return set;
}

void worker::give_back(std::unique_ptr<h1_working_set> set) noexcept {
  if (spare_sets_.size() >= max_spare_sets) return;  // freed here
  set->clear();
  // A spare must not keep the sites of a reload alive (with their handlers' descriptors).
  if (set->ex.sites != sites_) set->ex.sites.reset();
  spare_sets_.push_back(std::move(set));
}

void worker::retire(h1_connection* c) noexcept {
  forget(c);
  retired_.push_back(c);
}

void worker::collect_retired() {
  for (h1_connection* c : retired_)
    delete c;
  retired_.clear();
  for (refusal* r : retired_refusals_)
    refusals_.erase(r);
  retired_refusals_.clear();
  if (draining_) maybe_finish_drain();
}

void worker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  for (auto& a : acceptors_)
    a->close();
  loop_.arm(drain_timer_, options_.drain_timeout);
  for (h1_connection* c = connections_; c;) {
    h1_connection* next = c->next_;  // begin_drain may retire c
    c->begin_drain();
    c = next;
  }
  maybe_finish_drain();
}

void worker::maybe_finish_drain() {
  if (connection_count_ == 0) {
    loop_.disarm(drain_timer_);
    loop_.stop();
  }
}

}  // namespace teapot::srv
