// The [[sites.proxy]] tables: reverse proxy routes below prefixes.
#include <stdexcept>
#include <string>

#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

void read_health_check(table_reader& r, proxy_health_check& out) {
  if (r.require("path", "the path each upstream is asked for, such as \"/health\"")) {
    if (auto path = r.string("path")) {
      if (!path->starts_with('/'))
        r.error("path", single_quoted(*path) + " does not start with '/'");
      else
        out.path = *path;
    }
  }
  auto positive = [&r](std::string_view key, std::chrono::milliseconds& to) {
    if (auto d = r.duration(key)) {
      if (d->count() <= 0)
        r.error(key, "must be greater than zero");
      else
        to = *d;
    }
  };
  positive("interval", out.interval);
  positive("timeout", out.timeout);
  if (auto n = r.integer("fails", 1, 100)) out.fails_to_leave = static_cast<unsigned>(*n);
  if (auto n = r.integer("passes", 1, 100)) out.passes_to_return = static_cast<unsigned>(*n);
}

void read_proxy(table_reader& r, proxy_config& out) {
  if (r.require("prefix", "the URL path the route answers below, such as \"/api/\"")) {
    if (auto prefix = r.string("prefix")) {
      if (std::string why = check_path_prefix(*prefix); !why.empty())
        r.error("prefix", why);
      else if (prefix->back() != '/')
        r.error("prefix",
                single_quoted(*prefix) + " does not end with '/'; write \"" + *prefix + "/\"");
      else
        out.prefix = *prefix;
    }
  }
  if (r.require("upstreams", "the upstream servers, as [\"127.0.0.1:9000\"]")) {
    if (auto list = r.strings("upstreams")) {
      if (list->empty()) r.error("upstreams", "is empty; name at least one host:port");
      out.options.upstreams = *list;
    }
  }
  if (auto d = r.duration("connect_timeout")) {
    if (d->count() <= 0)
      r.error("connect_timeout", "must be greater than zero");
    else
      out.options.connect_timeout = *d;
  }
  if (auto d = r.duration("fail_timeout")) {
    if (d->count() <= 0)
      r.error("fail_timeout", "must be greater than zero");
    else
      out.options.fail_timeout = *d;
  }
  if (auto n = r.integer("keepalive", 0, 100000))
    out.options.keepalive = static_cast<std::size_t>(*n);
  if (auto d = r.duration("keepalive_timeout")) {
    if (d->count() <= 0)
      r.error("keepalive_timeout", "must be greater than zero");
    else
      out.options.keepalive_timeout = *d;
  }
  if (auto f = r.string("forwarded_fields")) {
    if (*f == "x-forwarded")
      out.options.forwarded = forwarded_fields::x_forwarded;
    else if (*f == "forwarded")
      out.options.forwarded = forwarded_fields::forwarded;
    else if (*f == "both")
      out.options.forwarded = forwarded_fields::both;
    else if (*f == "none")
      out.options.forwarded = forwarded_fields::none;
    else
      r.error("forwarded_fields", single_quoted(*f) +
                                      " is not a choice; expected \"x-forwarded\", "
                                      "\"forwarded\" (RFC 7239), \"both\" or \"none\"");
  }
  if (auto d = r.duration("response_timeout")) {
    if (d->count() <= 0)
      r.error("response_timeout", "must be greater than zero");
    else
      out.options.response_timeout = *d;
  }
  if (auto b = r.boolean("transcode_legacy_text")) out.options.transcode_legacy_text = *b;
  if (auto b = r.boolean("tls_verify")) out.options.tls_verify = *b;
  if (auto ca = r.string("tls_ca")) out.options.tls_ca = r.diag().resolve(*ca).string();
  if (auto b = r.string("balance")) {
    if (*b == "round_robin")
      out.options.balance = proxy_balance::round_robin;
    else if (*b == "least_connections")
      out.options.balance = proxy_balance::least_connections;
    else
      r.error("balance", single_quoted(*b) +
                             " is not a choice; expected \"round_robin\" or \"least_connections\"");
  }
  if (const toml::table* t = r.sub_table("health_check")) {
    table_reader h(r.diag(), *t, r.key_path("health_check"));
    read_health_check(h, out.options.health_check);
    h.finish();
  }
}

}  // namespace

void read_proxies(table_reader& site, std::vector<proxy_config>& out) {
  auto tables = site.tables("proxy");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    table_reader r(site.diag(), *tables[i], site.key_path("proxy") + "[" + std::to_string(i) + "]");
    proxy_config& route = out.emplace_back();
    read_proxy(r, route);
    for (std::size_t j = 0; j < i; ++j)
      if (!route.prefix.empty() && out[j].prefix == route.prefix) {
        r.error("prefix", single_quoted(route.prefix) + " is the prefix of " +
                              site.key_path("proxy") + "[" + std::to_string(j) +
                              "] already; each route has a prefix of its own");
        break;
      }
    r.finish();
  }
}

}  // namespace teapot::config::detail
