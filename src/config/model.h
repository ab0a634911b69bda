// The configuration: what a teapot.toml says, held in the public option types the server and
// the built-in handlers take, checked and complete.
//
// load_config() (config/load.h) is the only producer; it hands out a configuration only when
// the whole file is valid, so a consumer never meets a half-filled one. Paths are absolute
// (relative ones in the file are resolved against the file's directory). Host names are lower
// case. Every list keeps the order of the file, because order decides (first matching rule
// wins). Where a value came from in the file is not kept here: the loader reports every
// mistake while it still holds the parsed file.
//
// Values are immutable after loading: a configuration may be copied, or swapped as a whole on
// reload.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "teapot/compression.h"
#include "teapot/delta_encoding.h"
#include "teapot/handlers/basic_auth.h"
#include "teapot/handlers/captive_portal.h"
#include "teapot/handlers/early_hints.h"
#include "teapot/handlers/ip_network.h"
#include "teapot/handlers/maintenance.h"
#include "teapot/handlers/rate_limit.h"
#include "teapot/handlers/rules.h"
#include "teapot/handlers/static_files.h"
#include "teapot/handlers/webdav.h"
#include "teapot/log.h"
#include "teapot/proxy.h"
#include "teapot/server.h"
#include "teapot/site.h"
#include "teapot/websocket.h"

namespace teapot::config {

// Where the access log goes; opened by open_logs() (config/logs.h), once.
struct access_log_config {
  bool enabled = true;
  access_log_format format = access_log_format::combined;
  std::filesystem::path path;  // empty: standard output
};

// [server.metrics]: the Prometheus endpoint (handlers/metrics.h), off by default.
struct metrics_config {
  bool enabled = false;
  // "HOST:PORT": a listener of its own, on which only path answers. Empty: path is a route
  // of the default site (ahead of its files), on the server's own listeners.
  std::string listen;
  std::string path = "/metrics";
  std::string status_path = "/server-status";  // the status page; empty: none
  std::vector<handlers::ip_network> allow = handlers::loopback_networks();
};

struct error_log_config {
  log_level level = log_level::info;
  std::filesystem::path path;  // empty: standard error
};

// One [[sites.websocket]] table: a WebSocket route at an exact path. The one action so far is
// "echo" (each message sent back as it came), for tests and for checking a client.
struct websocket_config {
  std::string path;
  std::string action = "echo";
  websocket_options options;
};

// One [[sites.proxy]] table: requests below prefix relayed to the upstreams.
struct proxy_config {
  std::string prefix;
  proxy_options options;
};

// [sites.forward_proxy]: the site as a forward proxy (teapot/forward_proxy.h).
struct forward_proxy_config {
  forward_proxy_options options;  // its steps are built from auth, not read
  // users (an htpasswd file, resolved) and realm: Basic proxy authentication (407); absent:
  // none.
  std::optional<handlers::proxy_auth_options> auth;
};

// One [[sites]] table. A step whose table is absent (an empty list, an empty optional) is not
// added to the site's pipeline at all.
struct site_config {
  std::vector<std::string> hosts;  // "example.com", "*.example.com" (any subdomain), "[::1]"
  bool is_default = false;         // takes Hosts no site claims (unless strict_hosts)
  std::optional<handlers::captive_portal_options> captive_portal;
  std::optional<handlers::maintenance_options> maintenance;
  std::vector<handlers::rate_limit_rule> rate_limits;
  // Its log is left unset: the server's error log is wired in when the site is built.
  std::optional<handlers::basic_auth_options> auth;
  std::vector<handlers::rule> rules;
  std::vector<handlers::early_hint> early_hints;
  // Extensions (RFC 2774) the server implements for this site; a mandatory one not listed: 510.
  std::vector<std::string> mandatory_extensions;
  error_page_options error_pages;
  // An empty root: no files, only rules.
  handlers::static_files_options static_files;
  // On-the-fly compression of the site's responses; absent: off.
  std::optional<compression_options> compression;
  // [sites.delta_encoding]: versions kept and 226 IM Used below prefixes; absent: off.
  std::optional<delta_encoding_options> delta_encoding;
  // WebDAV areas, each below its own prefix (no two alike), mounted before the static files.
  // Paths are resolved; a database left empty stays empty (the area's default).
  std::vector<handlers::webdav_options> webdav;
  // [[sites.websocket]]: WebSocket routes, each at its own path, mounted before the files.
  std::vector<websocket_config> websockets;
  // [[sites.proxy]]: reverse proxy routes, each below its own prefix, mounted first.
  std::vector<proxy_config> proxies;
  // [sites.forward_proxy]: CONNECT tunnels and absolute-form requests; absent: neither.
  std::optional<forward_proxy_config> forward_proxy;
  // [sites.tls]: its certificate and key (paths resolved), served on server.tls_listen. Its
  // names are the site's hosts (the certificate's own names for a site without hosts); the
  // loader copies it into server.certificates.
  std::optional<tls_certificate> tls;
  // [sites.tls] redirect_http and hsts*: how the site holds its clients to HTTPS.
  https_options https;
};

struct configuration {
  std::filesystem::path source;  // the file it came from, absolute
  // Listeners (plain and TLS, with the sites' certificates), workers, limits (body limits by prefix
  // and the connection cap among them), strict hosts. access_log and error_log are left unset:
  // open_logs() makes them. When a site has a WebDAV area, methods holds every one of
  // handlers::webdav_methods().
  server_options server;
  access_log_config access_log;
  error_log_config error_log;
  metrics_config metrics;          // server.metrics is its enabled
  std::vector<site_config> sites;  // at least one
  // The site for Hosts no site claims: the one marked default, else the first; none with
  // strict_hosts.
  std::optional<std::size_t> default_site;
};

}  // namespace teapot::config
