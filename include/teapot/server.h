// The server: listeners, worker threads each with its own event loop, and the router.
//
//   teapot::server srv;
//   srv.routes().get("/hello", [](const teapot::request&, teapot::response& res) {
//     res.text("Hello, World!");
//   });
//   srv.run();  // until SIGTERM or SIGINT, then a graceful stop
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "teapot/router.h"
#include "teapot/site.h"

namespace teapot {

// Every limit has a status: see docs/status-codes.md.
struct limits {
  std::size_t request_line = 8 * 1024;     // 414 past it
  std::size_t field_line = 8 * 1024;       // 431
  std::size_t header_section = 64 * 1024;  // 431
  std::size_t fields = 100;                // 431
  std::size_t chunk_line = 4 * 1024;       // 413 (chunk size with its extensions)
  std::uint64_t body = 1024 * 1024;        // 413, decided from Content-Length before reading
  std::chrono::milliseconds header_timeout{10'000};     // 408, then close
  std::chrono::milliseconds body_timeout{10'000};       // 408 when the body stalls this long
  std::chrono::milliseconds keep_alive_timeout{5'000};  // idle connections close silently
  std::chrono::milliseconds send_timeout{30'000};       // a client that stops reading is dropped
};

struct server_options {
  std::vector<std::string> listen{"127.0.0.1:8080"};  // "HOST:PORT", "[::1]:PORT"
  unsigned workers = 0;                               // 0: one per core
  teapot::limits limits;
  std::chrono::milliseconds drain_timeout{10'000};  // graceful stop: in-flight time to finish
  // Methods the server knows; any other gets 501. Known but unrouted methods get 405.
  std::vector<std::string> methods{"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
                                   "OPTIONS", "PATCH", "TRACE", "CONNECT"};
  std::string server_header = "teapot";
  // A request whose Host (or absolute-form authority) no added site claims gets 421 instead
  // of the default site (RFC 9110 §15.5.20).
  bool strict_hosts = false;
  // SIGTERM/SIGINT: graceful stop. start() blocks these signals in the calling thread and so in
  // every thread created after it: a program that started threads before must block them
  // itself (pthread_sigmask) or a signal may land in one of those and end the process.
  bool handle_signals = true;
};

class server {
 public:
  explicit server(server_options options = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // The routes of the default site: the one that answers every Host no other site claims.
  router& routes() noexcept;
  site& default_site() noexcept;
  // A site for these host names (see site.h), before start(). Sites are tried in the order
  // added; the default site takes the rest, unless strict_hosts.
  site& add_site(std::vector<std::string> hosts);
  // Makes a site added with add_site the one that takes the Hosts nobody claims, in place of
  // default_site() (before start()).
  void set_default_site(site& s);

  // Binds the listeners and starts the workers; returns at once. Throws std::system_error when
  // an address cannot be bound.
  void start();
  // start() (unless done already), then blocks until stop() or a signal (with
  // handle_signals), and until the drain has finished.
  void run();
  // Graceful stop from any thread: stop accepting, finish in-flight requests, close idle
  // keep-alive connections, and return from run() within the drain timeout.
  void stop() noexcept;
  // Blocks until the workers have exited.
  void wait();
  // The ports actually bound, in the order of options.listen (useful with port 0).
  std::vector<std::uint16_t> ports() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace teapot
