#include "config/pipeline.h"

#include <variant>

#include "teapot/handlers/basic_auth.h"
#include "teapot/handlers/captive_portal.h"
#include "teapot/handlers/early_hints.h"
#include "teapot/handlers/maintenance.h"
#include "teapot/handlers/mandatory_extensions.h"
#include "teapot/handlers/path_match.h"
#include "teapot/handlers/rate_limit.h"
#include "teapot/handlers/rules.h"
#include "teapot/handlers/static_files.h"

namespace teapot::config {

namespace {

// The static-file options of a site. A glob of the configuration becomes the handler's
// pattern as it is; an exact path is a glob without wildcards.
handlers::static_files_options static_options(const site_config& s) {
  handlers::static_files_options o;
  o.root = s.root;
  o.index_files = s.static_files.index_files;
  o.listing = s.static_files.listing;
  for (const auto& [ext, type] : s.static_files.mime_types)
    o.mime_overrides.emplace_back(ext, type);
  for (const cache_control_pattern& p : s.static_files.cache_control)
    o.cache_control.push_back({p.match.pattern, p.value});
  return o;
}

handlers::path_match to_handler(const path_match& m) {
  handlers::path_match out;
  out.pattern = m.pattern;
  switch (m.kind) {
    case match_kind::exact:
      out.kind = handlers::match_kind::exact;
      break;
    case match_kind::prefix:
      out.kind = handlers::match_kind::prefix;
      break;
    case match_kind::glob:
      out.kind = handlers::match_kind::glob;
      break;
  }
  return out;
}

handlers::early_hints_clients to_handler(early_hints_clients c) {
  switch (c) {
    case early_hints_clients::known:
      return handlers::early_hints_clients::known;
    case early_hints_clients::all:
      return handlers::early_hints_clients::all;
    case early_hints_clients::none:
      return handlers::early_hints_clients::none;
  }
  return handlers::early_hints_clients::known;
}

handlers::maintenance_options maintenance_options(const maintenance_config& m) {
  handlers::maintenance_options o;
  o.enabled = m.enabled;
  o.prefixes = m.prefixes;
  o.trigger_file = m.trigger_file;
  if (const auto* secs = std::get_if<std::chrono::seconds>(&m.retry_after))
    o.retry_after = *secs;
  else if (const auto* date = std::get_if<std::chrono::system_clock::time_point>(&m.retry_after))
    o.retry_after = *date;
  return o;
}

handlers::rate_limit_options rate_limit_options(const site_config& s) {
  handlers::rate_limit_options o;
  for (const rate_limit_config& r : s.rate_limits) {
    handlers::rate_limit_rule rule;
    rule.prefix = r.prefix;
    rule.key = r.key == rate_key::header ? handlers::rate_limit_key::header
                                         : handlers::rate_limit_key::client_address;
    rule.header = r.header;
    rule.requests = r.requests;
    rule.per = r.per;
    rule.burst = r.burst;
    o.limits.push_back(std::move(rule));
  }
  return o;
}

std::vector<handlers::ip_network> networks(const std::vector<cidr>& list) {
  std::vector<handlers::ip_network> out;
  for (const cidr& c : list)
    out.push_back({c.address, c.prefix_length});
  return out;
}

handlers::basic_auth_options auth_options(const auth_config& a,
                                          const std::shared_ptr<error_log>& errors) {
  handlers::basic_auth_options o;
  if (errors)
    o.log = [errors](std::string_view line) { errors->write(teapot::log_level::warn, line); };
  o.htpasswd = a.htpasswd;
  o.realm = a.realm;
  o.groups = a.groups;
  o.allow = networks(a.allow);
  o.deny = networks(a.deny);
  for (const access_rule& r : a.paths)
    o.paths.push_back({r.prefix, r.users, r.groups, networks(r.allow), networks(r.deny)});
  return o;
}

handlers::rule_kind to_handler(rule_kind k) {
  switch (k) {
    case rule_kind::redirect:
      return handlers::rule_kind::redirect;
    case rule_kind::return_:
      return handlers::rule_kind::return_;
    case rule_kind::gone:
      return handlers::rule_kind::gone;
    case rule_kind::legal_block:
      return handlers::rule_kind::legal_block;
    case rule_kind::teapot:
      return handlers::rule_kind::teapot;
    case rule_kind::require_conditional:
      return handlers::rule_kind::require_conditional;
    case rule_kind::headers:
      return handlers::rule_kind::headers;
  }
  return handlers::rule_kind::return_;
}

handlers::rules_options rules_options(const site_config& s) {
  handlers::rules_options o;
  for (const rule& r : s.rules) {
    handlers::rule out;
    out.match = to_handler(r.match);
    out.methods = r.methods;
    out.kind = to_handler(r.kind);
    out.status = r.status;
    out.target = r.target;
    out.keep_query = r.keep_query;
    out.body = r.body;
    out.content_type = r.content_type;
    out.blocked_by = r.blocked_by;
    out.add_headers = r.add_headers;
    out.remove_headers = r.remove_headers;
    o.rules.push_back(std::move(out));
  }
  return o;
}

// The pipeline of a site, in the order of DESIGN.md: captive portal (511), maintenance (503),
// rate limits (429), authentication (401/403), rules (3xx/402/410/418/428/451), early hints
// (103); then the routes. Steps whose configuration is absent are not added at all.
void build_pipeline(const site_config& s, site& out, const std::shared_ptr<error_log>& errors) {
  if (s.captive_portal)
    out.add_policy(handlers::make_captive_portal({.login_url = s.captive_portal->login_url}));
  if (s.maintenance)
    out.add_policy(handlers::make_maintenance(maintenance_options(*s.maintenance)));
  if (!s.rate_limits.empty()) out.add_policy(handlers::make_rate_limit(rate_limit_options(s)));
  if (s.auth) out.add_policy(handlers::make_basic_auth(auth_options(*s.auth, errors)));
  if (!s.rules.empty()) out.add_policy(handlers::make_rules(rules_options(s)));
  if (!s.early_hints.empty()) {
    handlers::early_hints_options hints;
    for (const early_hints_config& h : s.early_hints)
      hints.hints.push_back({to_handler(h.match), h.links, to_handler(h.http1_clients)});
    out.add_policy(handlers::make_early_hints(std::move(hints)));
  }
  // RFC 2774: every request is checked, so that an extension nobody implements gets 510.
  out.add_policy(handlers::make_mandatory_extensions({.implemented = s.mandatory_extensions}));
}

void build_site(const site_config& s, site& out, const std::shared_ptr<error_log>& errors) {
  build_pipeline(s, out, errors);
  // The pages are read here, once: a file that vanished since the check throws.
  out.set_error_pages({.files = s.error_pages.files,
                       .problem_json = s.error_pages.problem_json,
                       .cache_control = s.error_pages.cache_control});
  if (s.compression) out.set_compression(*s.compression);
  if (s.root.empty()) return;
  handler files = handlers::make_static_files(static_options(s));
  out.routes().get("/*", files).route("OPTIONS", "/*", files);
}

}  // namespace

teapot::server_options server_options_of(const configuration& c, const logs& l) {
  teapot::server_options options = c.server.options;
  options.strict_hosts = c.server.strict_hosts;
  options.limits.max_connections = c.server.max_connections;
  options.limits.overload_retry_after = c.server.overload_retry_after;
  options.access_log = l.access;
  options.error_log = l.errors;
  for (const body_limit& b : c.server.body_limits)
    options.limits.body_by_prefix.push_back({b.prefix, b.max});
  return options;
}

void build_sites(const configuration& c, const site_sink& out, const logs& l) {
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    site& built = out.add(c.sites[i].hosts);
    build_site(c.sites[i], built, l.errors);
    // One object whether a request names the site or falls back to it: its steps keep one
    // state (rate-limit buckets, say).
    if (c.default_site && *c.default_site == i) out.make_default(built);
  }
}

std::unique_ptr<teapot::server> build_server(const configuration& c, const logs& l) {
  auto srv = std::make_unique<teapot::server>(server_options_of(c, l));
  build_sites(c,
              {.add = [&srv](std::vector<std::string> hosts) -> site& {
                 return srv->add_site(std::move(hosts));
               },
               .make_default = [&srv](site& s) { srv->set_default_site(s); }},
              l);
  return srv;
}

}  // namespace teapot::config
