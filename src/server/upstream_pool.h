// The idle connections to a proxy route's upstreams, kept for the next request (RFC 9112 §9.3:
// a persistent connection), one pool per worker so that only its loop thread touches it.
//
// An idle connection is not watched by the loop: when it is taken, a non-blocking peek tells
// whether the upstream closed it (or sent something unasked, which makes it unusable); one idle
// for longer than the timeout is closed instead. A request that still meets a connection the
// upstream closed meanwhile is retried by the exchange where that is safe (upstream_exchange).
// Thread contract: one worker's loop thread; the destructor on any thread (it only closes).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "tls/openssl_handles.h"

namespace teapot::srv {

// An open connection to an upstream: its socket, and its TLS when the upstream is https://.
struct upstream_connection {
  int fd = -1;
  tls::ssl_ptr ssl{};
};

class upstream_pool {
 public:
  // keep: idle connections kept per upstream (0: none, every connection closes after its
  // response); idle_timeout: how long one may wait for its next request.
  upstream_pool(std::size_t upstreams, std::size_t keep, std::chrono::milliseconds idle_timeout);
  ~upstream_pool();
  upstream_pool(const upstream_pool&) = delete;
  upstream_pool& operator=(const upstream_pool&) = delete;

  // An open connection to that upstream, most recently used first; fd -1 when none.
  upstream_connection take(std::size_t upstream, std::int64_t now_ms);
  // c's response ended and the connection may carry another request: kept (the pool owns it
  // now), or closed when the pool is full or keeps none.
  void put(std::size_t upstream, upstream_connection c, std::int64_t now_ms);
  std::size_t idle(std::size_t upstream) const { return idle_[upstream].size(); }

 private:
  struct idle_connection {
    upstream_connection c;
    std::int64_t since_ms;
  };
  void close_expired(std::deque<idle_connection>& list, std::int64_t now_ms);

  std::vector<std::deque<idle_connection>> idle_;
  std::size_t keep_;
  std::int64_t idle_timeout_ms_;
};

}  // namespace teapot::srv
