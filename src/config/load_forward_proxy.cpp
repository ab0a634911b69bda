// The [sites.forward_proxy] table: CONNECT tunnels to listed ports, absolute-form requests, and
// Basic proxy authentication against an htpasswd file.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/load_parts.h"

namespace teapot::config::detail {

namespace {

// connect_ports = [443, 8443], http_ports = [80, 8080]: TCP ports, 1 to 65535, each once. An
// empty list is allowed: no tunnel at all (absolute-form requests only), or the reverse.
void read_ports(table_reader& r, std::string_view name, std::string_view example,
                std::vector<std::uint16_t>& out) {
  const toml::node* n = r.get(name);
  if (!n) return;
  const toml::array* list = n->as_array();
  if (!list) {
    r.error_at(*n, name, "expected an array of ports, such as " + std::string(example));
    return;
  }
  out.clear();
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string key = std::string(name) + "[" + std::to_string(i) + "]";
    const auto* port = item.as_integer();
    if (!port || port->get() < 1 || port->get() > 65535) {
      r.error_at(item, key, "expected a port from 1 to 65535");
      continue;
    }
    const auto value = static_cast<std::uint16_t>(port->get());
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      r.error_at(item, key, std::to_string(value) + " is listed twice");
      continue;
    }
    out.push_back(value);
  }
}

void read_positive(table_reader& r, std::string_view key, std::chrono::milliseconds& out) {
  if (auto d = r.duration(key)) {
    if (d->count() <= 0)
      r.error(key, "must be greater than zero");
    else
      out = *d;
  }
}

}  // namespace

void read_forward_proxy(table_reader& r, forward_proxy_config& out) {
  read_ports(r, "connect_ports", "[443]", out.options.connect_ports);
  read_ports(r, "http_ports", "[80]", out.options.http_ports);
  if (auto allow = r.boolean("allow_local_destinations"))
    out.options.allow_local_destinations = *allow;
  read_positive(r, "connect_timeout", out.options.connect_timeout);
  read_positive(r, "response_timeout", out.options.response_timeout);
  read_positive(r, "tunnel_idle_timeout", out.options.tunnel_idle_timeout);
  if (auto path = read_existing_path(r, "users", false)) {
    handlers::proxy_auth_options& auth = out.auth.emplace();
    auth.htpasswd = *path;
    (void)read_htpasswd(r.diag(), *path);  // its mistakes, each at its line
  }
  if (auto realm = read_realm(r)) {
    if (!out.auth)
      r.error("realm", "a realm needs users, the htpasswd file of the proxy's users");
    else
      out.auth->realm = *realm;
  }
}

}  // namespace teapot::config::detail
