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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/limits.h"
#include "teapot/log.h"
#include "teapot/router.h"
#include "teapot/site.h"
#include "teapot/tls.h"

namespace teapot {

struct server_options {
  std::vector<std::string> listen{"127.0.0.1:8080"};  // "HOST:PORT", "[::1]:PORT"
  unsigned workers = 0;                               // 0: one per core
  // Addresses that speak TLS (HTTP/2 and HTTP/1.1 over TLS, chosen by ALPN), beside the plain ones
  // of listen; they need at least one certificate. start() throws when a certificate or key cannot
  // be read or they do not match.
  std::vector<std::string> tls_listen{};
  std::vector<tls_certificate> certificates{};
  // How often a new key starts sealing session tickets (RFC 8446 §4.6.1, RFC 5077), on a
  // thread of the server's own; the previous key still opens the tickets it sealed, so a
  // ticket resumes for one to two periods (and no longer than a day). Zero: never rotated.
  std::chrono::seconds tls_ticket_rotation{std::chrono::hours{12}};
  // Threads of the blocking-work pool (deferred_response::run_blocking, pending_verdict's
  // work, Basic auth's password checks, compression of files over 64 KiB), shared by every
  // worker; 0 is taken as 1. The configuration file and the command line take 1 to 256.
  unsigned blocking_threads = 2;
  teapot::limits limits{};
  std::chrono::milliseconds drain_timeout{10'000};  // graceful stop: in-flight time to finish
  // Methods the server knows; any other gets 501. Known but unrouted methods get 405.
  std::vector<std::string> methods{"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
                                   "OPTIONS", "PATCH", "TRACE", "CONNECT"};
  std::string server_header = "teapot";
  // A request whose Host (or absolute-form authority) no added site claims gets 421 instead
  // of the default site (RFC 9110 §15.5.20).
  bool strict_hosts = false;
  // HTTP/2 over TLS (RFC 9113): ALPN offers "h2" before "http/1.1" on tls_listen. Off: ALPN
  // offers "http/1.1" only.
  bool http2 = true;
  // HTTP/2 in clear text with prior knowledge (RFC 9113 §3.3) on listen: a connection whose
  // first bytes are the client's connection preface speaks HTTP/2. Off by default, as in
  // Caddy and Apache: browsers never send it, and an HTTP/1.1-only port answers the preface
  // with 505; behind a proxy that speaks h2c to its upstreams, turn it on.
  bool h2c = false;
  // SIGTERM/SIGINT: graceful stop. start() blocks these signals in the calling thread and so in
  // every thread created after it: a program that started threads before must block them
  // itself (pthread_sigmask) or a signal may land in one of those and end the process.
  // SIGHUP (configuration reload) and SIGUSR1 (log rotation) are handled too: both reopen the
  // log files, and SIGHUP then calls the on_reload function.
  bool handle_signals = true;
  // Socket activation (systemd, sd_listen_fds(3)): when the service manager passed listening
  // sockets to this process (LISTEN_PID is its pid), start() listens on them in place of
  // binding `listen` and `tls_listen`, and every worker accepts from each. A socket named
  // "https" (FileDescriptorName=https), or bound to one of the `tls_listen` addresses, speaks
  // TLS with `certificates` (start() throws std::invalid_argument for one without any); the
  // others are plain. The manager keeps them open while the process restarts, so that no
  // connection is refused in between. Taken once per process.
  bool inherit_listeners = true;
  // sd_notify(3) reports for a Type=notify service, when NOTIFY_SOCKET is set: READY=1 once
  // start() has bound the listeners, RELOADING=1 then READY=1 around SIGHUP's reload (with
  // handle_signals), STOPPING=1 when the graceful stop begins.
  bool notify_service_manager = true;
  // Counts responses (by site, code, method, duration, bytes), connections, parse errors and
  // so on for metrics_text() and collect_metrics(). Each worker counts in its own memory and
  // a scrape adds the workers' counts up, so the cost per request is a few increments.
  bool metrics = false;
  access_log_options access_log{};  // off by default
  // Where the server reports failures (a handler that throws, a reload refused); null: standard
  // error, info and above.
  std::shared_ptr<teapot::error_log> error_log{};
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
  // The ports actually bound, in the order of options.listen then options.tls_listen (useful
  // with port 0), or of the sockets the service manager passed (inherit_listeners).
  std::vector<std::uint16_t> ports() const;
  // The addresses listened on, "127.0.0.1:8080" or "[::1]:8080", in the order of ports().
  std::vector<std::string> addresses() const;

  // Takes the sites of other (its added sites, its default site, and its strict_hosts choice)
  // in place of this server's, from any thread, before or after start(); other must not be
  // started, and is left without sites. Requests that begin afterwards use the new sites;
  // those in flight finish on the old ones, which are freed after them. Each worker closes
  // what the built-in handlers cached on its thread (open files, file bytes) as it takes the
  // new sites; a handler the new sites still use caches again. Nothing else of other's options
  // is taken: listeners, workers and limits stay as they are.
  void adopt_sites(server& other);
  // New certificates for the TLS listeners, from any thread: they are loaded at once, sharing
  // the session ticket keys of the running ones (so that tickets resume across the change);
  // connections accepted afterwards use them, connections open already keep theirs. Throws
  // std::runtime_error (naming the file, quoting OpenSSL) when one cannot be loaded or a key
  // does not match, and std::invalid_argument for an empty list: the running certificates
  // then stay. Before start(), it replaces options.certificates; without TLS listeners it
  // only checks them.
  void replace_certificates(std::vector<tls_certificate> certificates);
  // What SIGHUP does besides reopening the logs (with handle_signals), set before run(): fn
  // runs on the thread that runs run(), and may call adopt_sites(). An exception from it is
  // written to the error log and the server goes on as it was.
  void on_reload(std::function<void()> fn);
  // Opens the log files again by their paths (after a log rotation moved them). Any thread.
  void reopen_logs();
  // With options.metrics: the counts in the Prometheus text exposition format (version 0.0.4,
  // served as "text/plain; version=0.0.4; charset=utf-8"), given to done on the thread of the
  // last worker to answer. Any thread, once started; done never runs if the server stops
  // first. Without options.metrics, only the server-wide families have values.
  void collect_metrics(std::function<void(std::string text)> done) const;
  // With options.metrics: the status page, one HTML document without external assets (the
  // codes of the last 10 minutes as an SVG chart, the codes since the start, the most frequent
  // paths per error code, connections per worker, the sites), to done as collect_metrics does.
  void collect_status_page(std::function<void(std::string html)> done) const;
  // The metrics' text, waiting for it: from any thread but a worker's (a handler uses
  // collect_metrics with a deferred response). Empty when the server is not running, or when a
  // worker did not answer within 10 seconds (its loop has ended).
  std::string metrics_text() const;
  teapot::error_log& error_log() noexcept;

 private:
  void on_reload_signal(int signal_number);
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace teapot
