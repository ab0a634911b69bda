// A worker: one thread, one event loop, its own listening sockets (SO_REUSEPORT, or fds of its
// own for the sockets a service manager passed), and the connections it accepted. Nothing here
// is shared with another worker.
#pragma once

#include <atomic>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "h1/request_parser.h"
#include "http/date.h"
#include "io/event_loop.h"
#include "io/work_pool.h"
#include "server/access_log.h"
#include "server/connection_counts.h"
#include "server/metrics.h"
#include "server/overload_answer.h"
#include "server/site_table.h"
#include "teapot/server.h"

namespace teapot::tls {
class context_set;
}

namespace teapot::srv {

class h1_connection;
struct h1_working_set;

// The codec's limits and methods for a server with these options. The body limit depends on
// the path: the transport applies it (limits::body_for), not the parser, so that it can
// differ under a prefix and a site's 413 page can answer it.
h1::parser_config parser_config_for(const server_options& options);

class worker {
 public:
  // counts are shared by every worker of the server (for limits.max_connections and
  // max_connections_per_address), and so is the blocking-work pool, which outlives the
  // workers' loops.
  worker(const server_options& options, std::shared_ptr<const site_set> sites,
         const h1::parser_config& config, connection_counts& counts, io::work_pool& pool);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Before run(): the worker owns fd from now on. shared: other workers accept from the same
  // socket, each through an fd of its own (a socket from the service manager, which cannot be
  // one per worker as SO_REUSEPORT makes them); it is registered with EPOLLEXCLUSIVE, so that
  // a connection wakes one waiting worker rather than all of them.
  // tls: the listener speaks TLS, its connections' sessions made on this set (null: plain).
  void add_listener(int fd, bool shared = false,
                    std::shared_ptr<const tls::context_set> tls = nullptr);
  // On the worker's thread, until the drain has finished.
  void run();
  // From any thread: stop accepting, let in-flight exchanges finish, then leave run() once
  // every connection has closed or the drain timeout has passed.
  void stop_gracefully();

  io::event_loop& loop() noexcept { return loop_; }
  const server_options& options() const noexcept { return options_; }
  // The sites for exchanges that begin now. A connection holds the set its exchange began
  // with (copied only when it differs, so the hot path takes no atomic reference count).
  const std::shared_ptr<const site_set>& sites() const noexcept { return sites_; }
  // From any thread: exchanges that begin after this loop has run the post use these sites.
  // The post also releases the per-thread caches of this thread's handlers
  // (base/thread_caches.h), on this thread; a handler the new sites still use refills its own.
  void adopt_sites(std::shared_ptr<const site_set> sites);
  // From any thread: connections accepted on a TLS listener after this loop has run the post
  // make their sessions on tls (a reload's certificates); those made before keep their set.
  void adopt_tls(std::shared_ptr<const tls::context_set> tls);
  bool logs_access() const noexcept { return access_format_.has_value(); }
  // Queues the entry's line; the worker hands its lines to the log's writer once per loop
  // iteration.
  void log_access(const access_entry& entry);
  void log(log_level level, std::string_view message) const;
  teapot::error_log& error_log() const noexcept { return *options_.error_log; }
  io::work_pool& pool() noexcept { return pool_; }
  // True on the thread that runs this worker's loop.
  bool is_loop_thread() const noexcept { return std::this_thread::get_id() == thread_; }
  // The worker whose loop runs on the calling thread (null on any other thread): what a handler
  // that starts I/O of its own (a proxy's upstream connection) registers it with.
  static worker* on_this_thread() noexcept;
  // A connection's working set for a request in progress, from the spares when there is one;
  // given back when the connection is idle again.
  std::unique_ptr<h1_working_set> take_working_set();
  void give_back(std::unique_ptr<h1_working_set> set) noexcept;
  const h1::parser_config& parser_config() const noexcept { return parser_config_; }
  bool is_draining() const noexcept { return draining_; }
  // IMF-fixdate of the current second, formatted once per second.
  std::string_view date() noexcept;
  // The wall clock in seconds, read with date().
  std::time_t now() noexcept {
    date();
    return date_second_;
  }
  // Called by a connection that has closed its socket: it is deleted after this batch.
  void retire(h1_connection* c) noexcept;
  // The connections that wait for a request (idle between requests, or with an incomplete
  // head), in the order they began to wait: at limits.max_connections, the first gives its
  // place to a new connection. A connection enters when it begins to wait and leaves when a
  // request (or a response, or its close) keeps it busy; its place in the order is kept from
  // idle to the first bytes of a head, so that a head sent slowly ages like an idle wait.
  void queue_waiting(h1_connection* c) noexcept;
  void unqueue_waiting(h1_connection* c) noexcept;
  // Runs fn on this loop after the delay. The worker owns the timer: one still armed when the
  // worker ends is dropped without running.
  void run_after(std::chrono::milliseconds delay, std::function<void()> fn);
  // With options.metrics: the counts of this worker, written on its thread only.
  bool counts_metrics() const noexcept { return options_.metrics; }
  worker_metrics& metrics() noexcept { return metrics_; }
  // From any thread: fn gets a copy of this worker's counts, on this worker's thread. After
  // the loop has ended, fn never runs.
  // with_status: the status page's parts too (recent slots, error paths, connections).
  void snapshot_metrics(std::function<void(metrics_totals)> fn, bool with_status = false);

 private:
  class acceptor;
  class refusal;
  void accept_from(int listen_fd, const std::shared_ptr<const tls::context_set>& tls);
  bool admit(const address_key& from);
  bool make_room();
  void refuse(int fd);
  void render_overload_answer();
  void list_connections(std::vector<connection_row>& out) const;
  void forget(h1_connection* c) noexcept;
  void hand_access_lines();
  void begin_drain();
  void maybe_finish_drain();
  void collect_retired();

  const server_options& options_;
  std::shared_ptr<const site_set> sites_;
  const h1::parser_config& parser_config_;
  connection_counts& counts_;
  std::optional<access_log_format> access_format_;  // none: no access log
  std::string access_lines_;                        // queued since the last hand-over
  // Rendered for the current sites (with a connection cap only); a refusal whose answer
  // is still going out holds the one it started with.
  std::shared_ptr<const overload_answer> overload_;
  std::unordered_map<refusal*, std::unique_ptr<refusal>> refusals_;
  std::vector<refusal*> retired_refusals_;
  io::event_loop loop_;
  std::vector<std::unique_ptr<acceptor>> acceptors_;
  io::work_pool& pool_;
  std::thread::id thread_;
  h1_connection* connections_ = nullptr;  // intrusive list head
  std::size_t connection_count_ = 0;
  std::size_t waiting_count_ = 0;
  worker_metrics metrics_;
  h1_connection* waiting_front_ = nullptr;  // waited longest
  h1_connection* waiting_back_ = nullptr;
  // While a connection gives its place to a new one, its close does not free the place.
  bool handing_over_ = false;
  std::vector<h1_connection*> retired_;
  std::vector<std::unique_ptr<h1_working_set>> spare_sets_;
  struct one_shot {
    io::timer timer;
    std::function<void()> fn;
  };
  std::unordered_map<one_shot*, std::unique_ptr<one_shot>> one_shots_;
  bool draining_ = false;
  io::timer drain_timer_;
  io::timer accept_retry_;
  int accept_retry_fd_ = -1;
  std::shared_ptr<const tls::context_set> accept_retry_tls_;
  std::time_t date_second_ = -1;
  char date_[http::imf_fixdate_size] = {};
};

}  // namespace teapot::srv
