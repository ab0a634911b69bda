#include "server/worker.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "http/date.h"
#include "io/listener.h"
#include "server/connection.h"

namespace teapot::srv {

// Readiness of one listening socket.
class worker::acceptor final : public io::fd_handler {
 public:
  acceptor(worker& w, int fd) : worker_(w), fd_(fd) {}
  ~acceptor() override { close(); }
  void on_io(std::uint32_t) override { worker_.accept_from(fd_); }
  void close() noexcept {
    if (fd_ < 0) return;
    worker_.loop().remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  int fd() const noexcept { return fd_; }

 private:
  worker& worker_;
  int fd_;
};

worker::worker(const server_options& options, const site_table& sites,
               const h1::parser_config& config)
    : options_(options), sites_(sites), parser_config_(config) {
  drain_timer_.set_callback([this] {
    // The drain timeout has passed: whatever is still open is cut.
    while (connections_) {
      connection* c = connections_;
      connections_ = c->next_;
      if (connections_) connections_->prev_ = nullptr;
      c->prev_ = c->next_ = nullptr;
      --connection_count_;
      delete c;
    }
    loop_.stop();
  });
  loop_.set_after_batch([this] { collect_retired(); });
  accept_retry_.set_callback([this] {
    if (!draining_) accept_from(accept_retry_fd_);
  });
}

worker::~worker() {
  acceptors_.clear();
  collect_retired();
  while (connections_) {
    connection* c = connections_;
    connections_ = c->next_;
    delete c;
  }
}

void worker::add_listener(int fd) {
  acceptors_.push_back(std::make_unique<acceptor>(*this, fd));
  loop_.add(fd, EPOLLIN, acceptors_.back().get());
}

void worker::run() {
  // An exception that escapes a callback leaves run() with the loop intact: report it and go
  // on serving the other connections rather than end the thread (and the process).
  for (;;) {
    try {
      loop_.run();
      return;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "teapot: worker: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "teapot: worker: unknown exception\n");
    }
  }
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

void worker::accept_from(int listen_fd) {
  for (;;) {
    io::socket_address peer;
    int fd = io::accept_one(listen_fd, &peer);
    if (fd < 0) {
      // Out of descriptors: the connection stays queued, and with edge-triggered readiness no
      // new event will come for it, so look again shortly.
      if (errno == EMFILE || errno == ENFILE) {
        accept_retry_fd_ = listen_fd;
        loop_.arm(accept_retry_, std::chrono::milliseconds(100));
      }
      return;
    }
    if (draining_) {
      ::close(fd);
      continue;
    }
    auto* c = new connection(*this, fd, peer.to_string());
    c->next_ = connections_;
    if (connections_) connections_->prev_ = c;
    connections_ = c;
    ++connection_count_;
    c->start();
  }
}

void worker::retire(connection* c) noexcept {
  if (c->prev_) c->prev_->next_ = c->next_;
  if (c->next_) c->next_->prev_ = c->prev_;
  if (connections_ == c) connections_ = c->next_;
  c->prev_ = c->next_ = nullptr;
  --connection_count_;
  retired_.push_back(c);
}

void worker::collect_retired() {
  for (connection* c : retired_)
    delete c;
  retired_.clear();
  if (draining_) maybe_finish_drain();
}

void worker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  for (auto& a : acceptors_)
    a->close();
  loop_.arm(drain_timer_, options_.drain_timeout);
  for (connection* c = connections_; c;) {
    connection* next = c->next_;  // begin_drain may retire c
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
