#include "config/pipeline.h"

#include "teapot/handlers/basic_auth.h"
#include "teapot/handlers/captive_portal.h"
#include "teapot/handlers/early_hints.h"
#include "teapot/handlers/maintenance.h"
#include "teapot/handlers/mandatory_extensions.h"
#include "teapot/handlers/metrics.h"
#include "teapot/handlers/rate_limit.h"
#include "teapot/handlers/rules.h"
#include "teapot/handlers/webdav.h"
#include "teapot/proxy.h"
#include "teapot/websocket.h"

namespace teapot::config {

namespace {

// The pipeline of a site, in the order of DESIGN.md: captive portal (511), maintenance (503),
// rate limits (429), authentication (401/403), rules (3xx/402/410/418/428/451), early hints
// (103); then the routes. Steps whose configuration is absent are not added at all.
void build_pipeline(const site_config& s, site& out, const std::shared_ptr<error_log>& errors) {
  if (s.captive_portal) out.add_policy(handlers::make_captive_portal(*s.captive_portal));
  if (s.maintenance) out.add_policy(handlers::make_maintenance(*s.maintenance));
  if (!s.rate_limits.empty()) {
    handlers::rate_limit_options limits;  // its own store, its own clock
    limits.limits = s.rate_limits;
    out.add_policy(handlers::make_rate_limit(std::move(limits)));
  }
  if (s.auth) {
    handlers::basic_auth_options auth = *s.auth;
    if (errors)
      auth.log = [errors](std::string_view line) { errors->write(log_level::warn, line); };
    out.add_policy(handlers::make_basic_auth(std::move(auth)));
  }
  if (!s.rules.empty()) out.add_policy(handlers::make_rules({.rules = s.rules}));
  if (!s.early_hints.empty()) out.add_policy(handlers::make_early_hints({.hints = s.early_hints}));
  // RFC 2774: every request is checked, so that an extension nobody implements gets 510.
  out.add_policy(handlers::make_mandatory_extensions({.implemented = s.mandatory_extensions}));
}

// [[sites.websocket]] action "echo": each message back as it came.
websocket_handlers echo_handlers() {
  websocket_handlers h;
  h.on_message = [](websocket& ws, std::string_view data, message_kind kind) {
    ws.send(data, kind);
  };
  return h;
}

void mount_metrics(router& routes, const metrics_config& m, const teapot::server& watched) {
  routes.get(m.path, handlers::metrics_endpoint(watched, {.allow = m.allow}));
  if (!m.status_path.empty())
    routes.get(m.status_path, handlers::status_page_endpoint(watched, {.allow = m.allow}));
}

void build_site(const site_config& s, site& out, const std::shared_ptr<error_log>& errors) {
  build_pipeline(s, out, errors);
  // The pages are read here, once: a file that vanished since the check throws.
  out.set_error_pages(s.error_pages);
  if (s.compression) out.set_compression(*s.compression);
  if (s.delta_encoding) out.set_delta_encoding(*s.delta_encoding);
  out.set_https(s.https);
  if (s.forward_proxy) {
    forward_proxy_options proxy = s.forward_proxy->options;
    if (s.forward_proxy->auth) {
      handlers::proxy_auth_options auth = *s.forward_proxy->auth;
      if (errors)
        auth.log = [errors](std::string_view line) { errors->write(log_level::warn, line); };
      proxy.steps.push_back(handlers::make_proxy_auth(std::move(auth)));
    }
    out.set_forward_proxy(std::move(proxy));
  }
  // Before the files: of two routes below the same prefix ("/" for both), the first added
  // answers.
  for (const proxy_config& p : s.proxies) {
    proxy_options options = p.options;
    if (errors)
      options.log = [errors](std::string_view line) { errors->write(log_level::warn, line); };
    out.routes().route("*", p.prefix + "*", proxy_route(std::move(options)), {.stream_body = true});
  }
  for (const websocket_config& w : s.websockets)
    add_websocket_route(out.routes(), w.path, w.options, echo_handlers());
  for (const handlers::webdav_options& area : s.webdav)
    handlers::mount_webdav(out.routes(), area);
  if (!s.static_files.root.empty()) {
    handlers::static_files_options files = s.static_files;
    if (errors)
      files.log = [errors](std::string_view line) { errors->write(log_level::warn, line); };
    mount_static_files(out.routes(), std::move(files));
  }
}

}  // namespace

void mount_static_files(router& routes, handlers::static_files_options options) {
  handler files = handlers::make_static_files(std::move(options));
  // OPTIONS is routed too, so that the router's 405 lists it in Allow (RFC 9110 §15.5.6).
  routes.get("/*", files).route("OPTIONS", "/*", files);
}

teapot::server_options server_options_of(const configuration& c, const logs& l) {
  teapot::server_options options = c.server;
  options.access_log = l.access;
  options.error_log = l.errors;
  return options;
}

void build_sites(const configuration& c, const site_sink& out, const logs& l,
                 const teapot::server* metrics_of) {
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    site& built = out.add(c.sites[i].hosts);
    // An exact route answers before the files' prefix, whatever the order.
    if (metrics_of && c.metrics.enabled && c.metrics.listen.empty() && c.default_site &&
        *c.default_site == i)
      mount_metrics(built.routes(), c.metrics, *metrics_of);
    build_site(c.sites[i], built, l.errors);
    // One object whether a request names the site or falls back to it: its steps keep one
    // state (rate-limit buckets, say).
    if (c.default_site && *c.default_site == i) out.make_default(built);
  }
}

std::unique_ptr<teapot::server> build_server(const configuration& c, const logs& l,
                                             const teapot::server* metrics_of) {
  auto srv = std::make_unique<teapot::server>(server_options_of(c, l));
  build_sites(c,
              {.add = [&srv](std::vector<std::string> hosts) -> site& {
                 return srv->add_site(std::move(hosts));
               },
               .make_default = [&srv](site& s) { srv->set_default_site(s); }},
              l, metrics_of ? metrics_of : srv.get());
  return srv;
}

std::unique_ptr<teapot::server> build_metrics_server(const configuration& c,
                                                     const teapot::server& watched, const logs& l) {
  if (!c.metrics.enabled || c.metrics.listen.empty()) return nullptr;
  teapot::server_options o;
  o.listen = {c.metrics.listen};
  o.workers = 1;  // a scrape every few seconds
  o.blocking_threads = 1;
  o.drain_timeout = std::chrono::milliseconds(1000);
  o.server_header = c.server.server_header;
  // The watched server handles the signals and speaks to the service manager.
  o.handle_signals = false;
  o.inherit_listeners = false;
  o.notify_service_manager = false;
  o.error_log = l.errors;
  auto srv = std::make_unique<teapot::server>(std::move(o));
  mount_metrics(srv->routes(), c.metrics, watched);
  return srv;
}

}  // namespace teapot::config
