// Active health checks of a proxy route's upstreams (teapot/proxy.h, proxy_health_check): a
// thread of the route's own sends each upstream a GET of the check's path every interval,
// with blocking I/O bounded by the timeout, and keeps a flag per upstream that the workers'
// loops read when they pick one. Stopped and joined when the route goes (a reload); a probe in
// progress is cut at once (an eventfd beside its socket), so that the loop dropping the last
// reference does not wait for it.
// Thread contract: in() from any thread; the rest on the thread that made it.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "server/upstream_address.h"
#include "teapot/proxy.h"
#include "tls/openssl_handles.h"

namespace teapot::srv {

class upstream_health {
 public:
  // tls: the route's context for its https:// upstreams (null when it has none), which
  // outlives this.
  upstream_health(std::vector<upstream_address> upstreams, proxy_health_check check,
                  std::function<void(std::string_view)> log, SSL_CTX* tls);
  ~upstream_health();
  upstream_health(const upstream_health&) = delete;
  upstream_health& operator=(const upstream_health&) = delete;

  // Whether upstream i passes its checks (true until a check says otherwise).
  bool in(std::size_t i) const noexcept { return in_[i].load(std::memory_order_relaxed); }

 private:
  enum class outcome : unsigned char { passed, failed, stopped };
  void run();
  // One check of upstream u; why says what failed.
  outcome probe(const upstream_address& u, std::string& why);
  // Waits for the socket (events) or the stop signal until deadline_ms (monotonic).
  outcome wait(int fd, short events, std::int64_t deadline_ms, std::string& why);

  const std::vector<upstream_address> upstreams_;
  const proxy_health_check check_;
  const std::function<void(std::string_view)> log_;
  SSL_CTX* const tls_;
  std::unique_ptr<std::atomic<bool>[]> in_;
  std::vector<unsigned> streak_;  // checks in a row that went against the current flag
  int stop_fd_ = -1;              // an eventfd: readable once the route goes
  std::thread thread_;
};

}  // namespace teapot::srv
