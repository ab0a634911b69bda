#include "teapot/server.h"

#include <netinet/in.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <stop_token>
#include <thread>

#include "io/listener.h"
#include "io/signals.h"
#include "server/worker.h"

namespace teapot {

struct server::impl {
  server_options options;
  site default_site;
  std::vector<std::unique_ptr<site>> sites;
  srv::site_table site_table;
  site* fallback = nullptr;  // set_default_site, else the built-in default site
  h1::parser_config parser_config;
  std::vector<std::unique_ptr<srv::worker>> workers;
  std::vector<std::thread> threads;
  std::vector<std::uint16_t> ports;
  std::stop_source stopping;
  bool started = false;

  void configure_parser() {
    const limits& l = options.limits;
    parser_config.limits = {l.request_line, l.field_line, l.header_section,
                            l.fields,       l.body,       l.chunk_line};
    parser_config.methods = options.methods;
  }

  // Every worker binds its own socket on each address (SO_REUSEPORT): the kernel spreads the
  // connections, and no accept lock is shared. Port 0 is resolved by the first bind.
  void bind_listeners() {
    for (const std::string& spec : options.listen) {
      io::socket_address addr = io::parse_address(spec);
      io::ensure_address_free(addr);
      std::uint16_t port = 0;
      for (auto& w : workers) {
        if (port != 0) set_port(addr, port);
        int fd = io::listen_on(addr);
        if (port == 0) port = io::local_port(fd);
        w->add_listener(fd);
      }
      ports.push_back(port);
    }
  }

  static void set_port(io::socket_address& addr, std::uint16_t port) {
    if (addr.storage.ss_family == AF_INET6)
      reinterpret_cast<sockaddr_in6*>(&addr.storage)->sin6_port = htons(port);
    else
      reinterpret_cast<sockaddr_in*>(&addr.storage)->sin_port = htons(port);
  }
};

server::server(server_options options) : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
}

server::~server() {
  stop();
  wait();
}

router& server::routes() noexcept {
  return impl_->default_site.routes();
}

site& server::default_site() noexcept {
  return impl_->default_site;
}

void server::set_default_site(site& s) {
  if (impl_->started) throw std::logic_error("teapot::server::set_default_site after start");
  impl_->fallback = &s;
}

site& server::add_site(std::vector<std::string> hosts) {
  if (impl_->started) throw std::logic_error("teapot::server::add_site after start");
  impl_->sites.push_back(std::make_unique<site>(std::move(hosts)));
  return *impl_->sites.back();
}

void server::start() {
  impl& s = *impl_;
  if (s.started) throw std::logic_error("teapot::server::start called twice");
  if (s.options.handle_signals)
    io::block_shutdown_signals();
  else
    std::signal(SIGPIPE, SIG_IGN);
  s.configure_parser();
  s.site_table.named.clear();
  for (const auto& named : s.sites)
    s.site_table.named.push_back(named.get());
  site* fallback = s.fallback ? s.fallback : &s.default_site;
  s.site_table.fallback = s.options.strict_hosts ? nullptr : fallback;
  unsigned n = s.options.workers ? s.options.workers : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  for (unsigned i = 0; i < n; ++i)
    s.workers.push_back(std::make_unique<srv::worker>(s.options, s.site_table, s.parser_config));
  s.bind_listeners();
  s.started = true;
  for (auto& w : s.workers)
    s.threads.emplace_back([wp = w.get()] { wp->run(); });
}

void server::run() {
  if (!impl_->started) start();
  if (impl_->options.handle_signals) {
    std::stop_token token = impl_->stopping.get_token();
    while (auto sig = io::wait_for_signal(token)) {
      if (*sig == SIGTERM || *sig == SIGINT) {
        std::fprintf(stderr, "teapot: %.*s: stopping gracefully\n",
                     static_cast<int>(io::signal_name(*sig).size()), io::signal_name(*sig).data());
        break;
      }
      // SIGHUP (configuration reload) has no work to do until there is a configuration file.
    }
    stop();
    // While the workers drain, a second SIGTERM or SIGINT means "now": the operator has seen
    // enough of the drain.
    std::stop_source drained;
    std::thread joiner([this, &drained] {
      wait();
      drained.request_stop();
    });
    while (auto sig = io::wait_for_signal(drained.get_token())) {
      if (*sig == SIGTERM || *sig == SIGINT) {
        std::fprintf(stderr, "teapot: second %.*s: exiting without waiting for the drain\n",
                     static_cast<int>(io::signal_name(*sig).size()), io::signal_name(*sig).data());
        std::_Exit(1);
      }
    }
    joiner.join();
    return;
  }
  wait();
}

void server::stop() noexcept {
  impl_->stopping.request_stop();
  for (auto& w : impl_->workers)
    w->stop_gracefully();
}

void server::wait() {
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

std::vector<std::uint16_t> server::ports() const {
  return impl_->ports;
}

}  // namespace teapot
