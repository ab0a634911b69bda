// A worker: one thread, one event loop, its own listening sockets (SO_REUSEPORT), and the
// connections it accepted. Nothing here is shared with another worker.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "h1/request_parser.h"
#include "http/date.h"
#include "io/event_loop.h"
#include "server/site_table.h"
#include "teapot/server.h"

namespace teapot::srv {

class connection;

class worker {
 public:
  worker(const server_options& options, const site_table& sites, const h1::parser_config& config);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Before run(): the worker owns fd from now on.
  void add_listener(int fd);
  // On the worker's thread, until the drain has finished.
  void run();
  // From any thread: stop accepting, let in-flight exchanges finish, then leave run() once
  // every connection has closed or the drain timeout has passed.
  void stop_gracefully();

  io::event_loop& loop() noexcept { return loop_; }
  const server_options& options() const noexcept { return options_; }
  const site_table& sites() const noexcept { return sites_; }
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
  void retire(connection* c) noexcept;
  // Runs fn on this loop after the delay. The worker owns the timer: one still armed when the
  // worker ends is dropped without running.
  void run_after(std::chrono::milliseconds delay, std::function<void()> fn);

 private:
  class acceptor;
  void accept_from(int listen_fd);
  void begin_drain();
  void maybe_finish_drain();
  void collect_retired();

  const server_options& options_;
  const site_table& sites_;
  const h1::parser_config& parser_config_;
  io::event_loop loop_;
  std::vector<std::unique_ptr<acceptor>> acceptors_;
  connection* connections_ = nullptr;  // intrusive list head
  std::size_t connection_count_ = 0;
  std::vector<connection*> retired_;
  struct one_shot {
    io::timer timer;
    std::function<void()> fn;
  };
  std::unordered_map<one_shot*, std::unique_ptr<one_shot>> one_shots_;
  bool draining_ = false;
  io::timer drain_timer_;
  io::timer accept_retry_;
  int accept_retry_fd_ = -1;
  std::time_t date_second_ = -1;
  char date_[http::imf_fixdate_size] = {};
};

}  // namespace teapot::srv
