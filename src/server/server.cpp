#include "teapot/server.h"

#include <netinet/in.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <future>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "io/inherited_listeners.h"
#include "io/listener.h"
#include "io/periodic.h"
#include "io/service_notify.h"
#include "io/signals.h"
#include "io/work_pool.h"
#include "server/status_page.h"
#include "server/worker.h"
#include "tls/context_set.h"

namespace teapot {

struct server::impl {
  server_options options;
  std::shared_ptr<srv::site_set> sites = std::make_shared<srv::site_set>();
  std::mutex sites_mu;            // adopt_sites() may come from any thread
  srv::connection_counts counts;  // shared by the workers, for the connection caps
  std::function<void()> on_reload;
  h1::parser_config parser_config;
  std::vector<std::unique_ptr<srv::worker>> workers;
  // After the workers: destroyed first, it runs what is queued and joins before the loops its
  // work posts to are gone.
  std::unique_ptr<io::work_pool> pool;
  // The TLS listeners' contexts (null without a TLS listener), shared by every worker; replaced
  // under sites_mu by replace_certificates().
  std::shared_ptr<const tls::context_set> tls_contexts;
  // The port of the https URLs of redirect_http: the first TLS listener's.
  std::uint16_t https_port = 443;
  // Rotates the ticket keys every options.tls_ticket_rotation (with TLS listeners).
  std::unique_ptr<io::periodic> ticket_rotation;
  std::vector<std::thread> threads;
  std::vector<std::uint16_t> ports;
  std::vector<std::string> addresses;
  std::stop_source stopping;
  bool started = false;
  std::atomic<bool> told_stopping{false};
  std::time_t started_at = 0;
  std::atomic<std::uint64_t> reloads_succeeded{0};
  std::atomic<std::uint64_t> reloads_failed{0};

  srv::server_metrics server_side_metrics() const {
    srv::server_metrics s;
    s.workers = static_cast<unsigned>(workers.size());
    s.reloads_succeeded = reloads_succeeded.load(std::memory_order_relaxed);
    s.reloads_failed = reloads_failed.load(std::memory_order_relaxed);
    if (options.access_log.file)
      s.access_log_lines_dropped = options.access_log.file->lines_dropped();
    if (options.error_log->file())
      s.error_log_lines_dropped = options.error_log->file()->lines_dropped();
    s.start_time_seconds = static_cast<std::uint64_t>(started_at);
    return s;
  }

  // Adds up every worker's counts (with the status page's parts when with_status), then
  // calls finish on the thread of the last worker to answer.
  void gather(bool with_status, std::function<void(const srv::metrics_totals&)> finish) const;

  void open_listeners() {
    if (options.inherit_listeners) {
      const std::vector<io::inherited_listener> inherited = io::take_inherited_listeners();
      if (!inherited.empty()) return share_inherited(inherited);
    }
    bind_listeners();
  }

  // A service manager passes one socket per address and keeps it across restarts: sockets of
  // our own bound beside it with SO_REUSEPORT would take a share of the connections and lose
  // what is queued on them when the process stops. So every worker accepts from the one
  // socket, through an fd of its own, with EPOLLEXCLUSIVE (one waiting worker woken per
  // connection). One accept loop handing connections to the others would add a cross-thread
  // hop to every connection and make that loop the bottleneck.
  void share_inherited(const std::vector<io::inherited_listener>& sockets) {
    const std::vector<std::string> tls_addresses = normalized(options.tls_listen);
    std::string taken;
    bool any_tls = false;
    for (const io::inherited_listener& s : sockets) {
      if (options.limits.send_buffer > 0) {
        io::set_send_buffer(s.fd, options.limits.send_buffer);
        warn_if_send_buffer_capped(s.fd);
      }
      const std::string local = io::local_address(s.fd).to_string();
      const std::uint16_t port = io::local_port(s.fd);
      std::shared_ptr<const tls::context_set> tls;
      if (io::speaks_tls(s.name, local, tls_addresses)) {
        tls = tls_for_inherited(s);
        if (!any_tls) https_port = port;
        any_tls = true;
      }
      for (std::size_t i = 0; i < workers.size(); ++i)
        workers[i]->add_listener(i + 1 < workers.size() ? io::another_fd_for(s.fd) : s.fd,
                                 /*shared=*/true, tls);
      ports.push_back(port);
      addresses.push_back(local);
      taken += (taken.empty() ? "" : ", ") + local + " (" + s.name + (tls ? ", TLS" : "") + ")";
    }
    options.error_log->write(log_level::info,
                             "listening on the sockets the service manager passed, in place of "
                             "the configured addresses: " +
                                 taken);
    if (!any_tls && !options.tls_listen.empty()) warn_tls_listen_unserved();
  }

  // The manager passed no socket to speak TLS on: the configuration's TLS addresses go unserved
  // rather than bound beside the manager's sockets (see share_inherited).
  void warn_tls_listen_unserved() {
    const std::string name(io::tls_socket_name);
    options.error_log->write(log_level::warn,
                             "tls_listen is not served: no socket the service manager passed "
                             "speaks TLS; name the TLS sockets \"" +
                                 name + "\" (FileDescriptorName=" + name +
                                 " in their socket unit, as teapot-https.socket does) or pass "
                                 "sockets at the tls_listen addresses (" +
                                 join(options.tls_listen) + ")");
    // Redirects still name the configured port, where a proxy may serve TLS.
    https_port = port_of(io::parse_address(options.tls_listen.front()));
  }

  // The contexts of every TLS listener, made by the first that needs them. A socket the
  // manager named for TLS without any certificate to serve is a mistake of the units or the
  // configuration, refused at start as an unusable socket is.
  std::shared_ptr<const tls::context_set> tls_for_inherited(const io::inherited_listener& s) {
    if (!tls_contexts && options.certificates.empty())
      throw std::invalid_argument("socket " + std::to_string(s.fd) + " (" + s.name +
                                  ") passed by the service manager speaks TLS, but no site has "
                                  "a certificate: give one a [sites.tls] table");
    return tls_listener_contexts();
  }

  const std::shared_ptr<const tls::context_set>& tls_listener_contexts();

  static std::vector<std::string> normalized(const std::vector<std::string>& specs) {
    std::vector<std::string> out;
    out.reserve(specs.size());
    for (const std::string& spec : specs)
      out.push_back(io::parse_address(spec).to_string());
    return out;
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items)
      out += (out.empty() ? "" : ", ") + item;
    return out;
  }

  // Failures are logged, never thrown: the manager, missing a report, acts on its timeouts.
  void tell_manager(std::string_view state) noexcept {
    if (!options.notify_service_manager) return;
    const int error = io::notify_service_manager(state);
    if (error == 0) return;
    try {
      options.error_log->write(log_level::warn, "cannot notify the service manager of " +
                                                    std::string(state.substr(0, state.find('\n'))) +
                                                    ": " + std::generic_category().message(error));
    } catch (...) {
    }
  }

  std::string listening_status() const {
    std::string out = "READY=1\nSTATUS=serving on ";
    for (std::size_t i = 0; i < addresses.size(); ++i)
      out += (i == 0 ? "" : ", ") + addresses[i];
    return out + "\n";
  }

  // Every worker binds its own socket on each address (SO_REUSEPORT): the kernel spreads the
  // connections, and no accept lock is shared. Port 0 is resolved by the first bind. The
  // certificates load first and the TLS ports listen before the plain ones: a plain port that
  // accepts says that the TLS ports do too (a client, or a test, that waits for one port).
  void bind_listeners() {
    const std::shared_ptr<const tls::context_set> tls =
        options.tls_listen.empty() ? nullptr : tls_listener_contexts();
    for (const std::string& spec : options.tls_listen) {
      const std::uint16_t port = bind_listener(spec, tls);
      if (&spec == &options.tls_listen.front()) https_port = port;
    }
    for (const std::string& spec : options.listen)
      bind_listener(spec, nullptr);
    // ports() and addresses() keep the order of listen, then tls_listen.
    const auto tls_count = static_cast<std::ptrdiff_t>(options.tls_listen.size());
    std::rotate(ports.begin(), ports.begin() + tls_count, ports.end());
    std::rotate(addresses.begin(), addresses.begin() + tls_count, addresses.end());
  }

  // The port bound (port 0 resolved).
  std::uint16_t bind_listener(const std::string& spec,
                              const std::shared_ptr<const tls::context_set>& tls) {
    io::socket_address addr = io::parse_address(spec);
    io::ensure_address_free(addr);
    std::uint16_t port = 0;
    for (auto& w : workers) {
      if (port != 0) set_port(addr, port);
      int fd = io::listen_on(addr, options.limits.send_buffer);
      if (port == 0) {
        port = io::local_port(fd);
        warn_if_send_buffer_capped(fd);
      }
      w->add_listener(fd, /*shared=*/false, tls);
    }
    ports.push_back(port);
    set_port(addr, port);
    addresses.push_back(addr.to_string());
    return port;
  }

  // Linux caps SO_SNDBUF at net.core.wmem_max without a word: say so, once per address.
  void warn_if_send_buffer_capped(int fd) {
    const std::size_t asked = options.limits.send_buffer;
    if (asked == 0) return;
    const std::size_t held = io::send_buffer_of(fd) / 2;
    if (held >= asked) return;
    options.error_log->write(log_level::warn, "send buffer of " + std::to_string(asked) +
                                                  " bytes capped at " + std::to_string(held) +
                                                  " by the kernel (sysctl net.core.wmem_max)");
  }

  static std::uint16_t port_of(const io::socket_address& addr) {
    if (addr.storage.ss_family == AF_INET6)
      return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr.storage)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr.storage)->sin_port);
  }

  // A rotation that fails (the random generator did) leaves the current key sealing: tickets
  // still resume, and the next period tries again.
  void start_ticket_rotation() {
    if (!tls_contexts || options.tls_ticket_rotation <= std::chrono::seconds::zero()) return;
    ticket_rotation = std::make_unique<io::periodic>(
        options.tls_ticket_rotation, [ring = tls_contexts->ticket_keys()] { ring->rotate(); },
        [log = options.error_log](const char* what) {
          log->write(log_level::error, std::string("session ticket keys not rotated: ") + what);
        });
  }

  // An expired certificate is served (its clients say why they refuse it): the log says so.
  void warn_of(const tls::context_set& set) const {
    for (const std::string& w : set.warnings())
      options.error_log->write(log_level::warn, w);
  }

  static void set_port(io::socket_address& addr, std::uint16_t port) {
    if (addr.storage.ss_family == AF_INET6)
      reinterpret_cast<sockaddr_in6*>(&addr.storage)->sin6_port = htons(port);
    else
      reinterpret_cast<sockaddr_in*>(&addr.storage)->sin_port = htons(port);
  }
};

namespace {

// ALPN (RFC 7301): the server's preference, h2 first (with http2), as nginx, h2o and Caddy
// order it. ticket_keys: the running set's, on a reload; null at start, for a new ring.
std::shared_ptr<const tls::context_set> make_tls_contexts(
    const std::vector<tls_certificate>& from, bool http2,
    std::shared_ptr<tls::ticket_key_ring> ticket_keys = nullptr) {
  if (from.empty()) throw std::invalid_argument("tls_listen needs at least one certificate");
  std::vector<tls::certificate_config> certificates;
  certificates.reserve(from.size());
  tls::tls_config config;
  for (const tls_certificate& c : from) {
    certificates.push_back(
        {c.chain.string(), c.key.string(), c.names, c.ocsp_response.string(), c.early_data});
    // The set reads early data (and keeps the replay cache) when any site takes it.
    config.early_data = config.early_data || c.early_data;
  }
  config.alpn =
      http2 ? std::vector<std::string>{"h2", "http/1.1"} : std::vector<std::string>{"http/1.1"};
  return std::make_shared<const tls::context_set>(certificates, config, std::move(ticket_keys));
}

}  // namespace

const std::shared_ptr<const tls::context_set>& server::impl::tls_listener_contexts() {
  if (!tls_contexts) {
    tls_contexts = make_tls_contexts(options.certificates, options.http2);
    warn_of(*tls_contexts);
  }
  return tls_contexts;
}

server::server(server_options options) : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
  if (!impl_->options.error_log)
    impl_->options.error_log = std::make_shared<teapot::error_log>(log_file::standard_error());
}

server::~server() {
  stop();
  wait();
}

router& server::routes() noexcept {
  return impl_->sites->default_site.routes();
}

site& server::default_site() noexcept {
  return impl_->sites->default_site;
}

void server::set_default_site(site& s) {
  if (impl_->started) throw std::logic_error("teapot::server::set_default_site after start");
  impl_->sites->chosen_default = &s;
}

site& server::add_site(std::vector<std::string> hosts) {
  if (impl_->started) throw std::logic_error("teapot::server::add_site after start");
  impl_->sites->added.push_back(std::make_unique<site>(std::move(hosts)));
  return *impl_->sites->added.back();
}

void server::adopt_sites(server& other) {
  if (&other == this) return;
  if (other.impl_->started)
    throw std::logic_error("teapot::server::adopt_sites of a started server");
  auto fresh = std::exchange(other.impl_->sites, std::make_shared<srv::site_set>());
  fresh->index(other.impl_->options.strict_hosts);
  std::lock_guard lock(impl_->sites_mu);
  // Before start() the option is still this server's to change; after, the table says it.
  if (!impl_->started) impl_->options.strict_hosts = other.impl_->options.strict_hosts;
  fresh->https_port = impl_->https_port;
  impl_->sites = fresh;
  for (auto& w : impl_->workers)
    w->adopt_sites(fresh);
}

void server::replace_certificates(std::vector<tls_certificate> certificates) {
  impl& s = *impl_;
  std::lock_guard lock(s.sites_mu);
  if (!s.started) {
    s.options.certificates = std::move(certificates);
    return;
  }
  // Loaded in full before anything changes: a file that fails leaves the running set.
  auto fresh = make_tls_contexts(certificates, s.options.http2,
                                 s.tls_contexts ? s.tls_contexts->ticket_keys() : nullptr);
  if (!s.tls_contexts) return;  // no TLS listener takes them
  s.warn_of(*fresh);
  s.tls_contexts = fresh;
  for (auto& w : s.workers)
    w->adopt_tls(fresh);
}

void server::on_reload(std::function<void()> fn) {
  impl_->on_reload = std::move(fn);
}

void server::reopen_logs() {
  if (impl_->options.access_log.file) impl_->options.access_log.file->reopen();
  if (impl_->options.error_log->file()) impl_->options.error_log->file()->reopen();
}

error_log& server::error_log() noexcept {
  return *impl_->options.error_log;
}

void server::start() {
  impl& s = *impl_;
  if (s.started) throw std::logic_error("teapot::server::start called twice");
  if (s.options.handle_signals)
    io::block_shutdown_signals();
  else if (std::signal(SIGPIPE, SIG_IGN) == SIG_ERR)
    throw std::system_error(errno, std::generic_category(), "signal(SIGPIPE)");
  s.parser_config = srv::parser_config_for(s.options);
  std::lock_guard lock(s.sites_mu);
  s.sites->index(s.options.strict_hosts);
  unsigned n = s.options.workers ? s.options.workers : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  s.pool = std::make_unique<io::work_pool>(s.options.blocking_threads);
  for (unsigned i = 0; i < n; ++i)
    s.workers.push_back(
        std::make_unique<srv::worker>(s.options, s.sites, s.parser_config, s.counts, *s.pool));
  s.open_listeners();
  s.sites->https_port = s.https_port;
  s.start_ticket_rotation();
  s.started_at = std::time(nullptr);
  s.started = true;
  for (auto& w : s.workers)
    s.threads.emplace_back([wp = w.get()] { wp->run(); });
  // Ready once the listeners are bound: a connection that comes before the loops run waits
  // in the backlog.
  s.tell_manager(s.listening_status());
}

void server::run() {
  if (!impl_->started) start();
  if (impl_->options.handle_signals) {
    std::stop_token token = impl_->stopping.get_token();
    while (auto sig = io::wait_for_signal(token)) {
      if (*sig == SIGTERM || *sig == SIGINT) {
        error_log().write(log_level::info,
                          std::string(io::signal_name(*sig)) + ": stopping gracefully");
        break;
      }
      on_reload_signal(*sig);
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
        error_log().write(log_level::error, "second " + std::string(io::signal_name(*sig)) +
                                                ": exiting without waiting for the drain");
        if (error_log().file()) error_log().file()->flush();
        std::_Exit(1);
      }
    }
    joiner.join();
    return;
  }
  wait();
}

void server::stop() noexcept {
  if (impl_->started && !impl_->told_stopping.exchange(true)) impl_->tell_manager("STOPPING=1\n");
  impl_->stopping.request_stop();
  if (impl_->ticket_rotation) impl_->ticket_rotation->stop();
  for (auto& w : impl_->workers)
    w->stop_gracefully();
}

void server::wait() {
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  // What the workers logged is on disk when the server has stopped.
  if (impl_->options.access_log.file) impl_->options.access_log.file->flush();
  if (impl_->options.error_log->file()) impl_->options.error_log->file()->flush();
}

// SIGUSR1 reopens the logs (nginx's USR1, for logrotate); SIGHUP does that too, then reloads.
void server::on_reload_signal(int sig) {
  reopen_logs();
  if (sig != SIGHUP) {
    error_log().write(log_level::info, std::string(io::signal_name(sig)) + ": logs reopened");
    return;
  }
  // The manager holds the service in "reloading" until READY=1, whatever the outcome: a
  // reload that failed leaves the server running as it was.
  impl_->tell_manager(io::reloading_state());
  if (!impl_->on_reload) {
    error_log().write(log_level::info, "SIGHUP: logs reopened; nothing to reload");
    impl_->tell_manager(impl_->listening_status());
    return;
  }
  try {
    impl_->on_reload();
    impl_->reloads_succeeded.fetch_add(1, std::memory_order_relaxed);
    impl_->tell_manager(impl_->listening_status());
  } catch (const std::exception& e) {
    impl_->reloads_failed.fetch_add(1, std::memory_order_relaxed);
    error_log().write(
        log_level::error,
        std::string("SIGHUP: reload failed, the running configuration stays: ") + e.what());
    std::string why = e.what();
    std::replace(why.begin(), why.end(), '\n', ' ');  // one line: the protocol's separator
    impl_->tell_manager("READY=1\nSTATUS=reload failed, the running configuration stays: " + why +
                        "\n");
  }
}

// Each worker copies its counts on its own loop; the last copy to arrive adds them up and
// hands the sum to finish, so no worker waits for another and nothing is written across
// threads but the copies.
void server::impl::gather(bool with_status,
                          std::function<void(const srv::metrics_totals&)> finish) const {
  struct gathering {
    std::mutex mu;
    srv::metrics_totals totals;
    std::size_t left = 0;
    std::function<void(const srv::metrics_totals&)> finish;
  };
  auto g = std::make_shared<gathering>();
  g->finish = std::move(finish);
  if (workers.empty()) return g->finish(g->totals);
  g->left = workers.size();
  for (const auto& w : workers)
    w->snapshot_metrics(
        [g](const srv::metrics_totals& part) {
          {
            std::lock_guard lock(g->mu);
            g->totals.add(part);
            if (--g->left > 0) return;
          }
          g->finish(g->totals);
        },
        with_status);
}

void server::collect_metrics(std::function<void(std::string text)> done) const {
  impl_->gather(false, [done = std::move(done),
                        server = impl_->server_side_metrics()](const srv::metrics_totals& totals) {
    done(srv::render_prometheus(totals, server));
  });
}

void server::collect_status_page(std::function<void(std::string html)> done) const {
  std::vector<srv::site_summary> sites;
  {
    std::lock_guard lock(impl_->sites_mu);
    const srv::site_set& set = *impl_->sites;
    auto summary = [&set](const site& s) {
      srv::site_summary out{.hosts = s.hosts(), .is_default = &s == set.table.fallback};
      for (const auto& step : s.policies())
        out.steps.emplace_back(step->name().empty() ? "custom" : step->name());
      return out;
    };
    for (const site* s : set.table.named)
      sites.push_back(summary(*s));
    if (set.table.fallback && std::find(set.table.named.begin(), set.table.named.end(),
                                        set.table.fallback) == set.table.named.end())
      sites.push_back(summary(*set.table.fallback));
  }
  impl_->gather(true, [done = std::move(done), server = impl_->server_side_metrics(),
                       sites = std::move(sites)](const srv::metrics_totals& totals) {
    timespec mono{};
    ::clock_gettime(CLOCK_MONOTONIC, &mono);
    done(srv::render_status_page(
        {.totals = &totals,
         .server = &server,
         .sites = sites,
         .now_ms = std::int64_t{mono.tv_sec} * 1000 + mono.tv_nsec / 1'000'000,
         .now_unix = static_cast<std::int64_t>(std::time(nullptr))}));
  });
}

std::string server::metrics_text() const {
  if (!impl_->started) return {};
  auto text = std::make_shared<std::promise<std::string>>();
  std::future<std::string> ready = text->get_future();
  collect_metrics([text](std::string t) { text->set_value(std::move(t)); });
  // A loop that has ended (the server stopping) never answers.
  if (ready.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {};
  return ready.get();
}

std::vector<std::uint16_t> server::ports() const {
  return impl_->ports;
}

std::vector<std::string> server::addresses() const {
  return impl_->addresses;
}

}  // namespace teapot
