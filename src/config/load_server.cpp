// The [server], [server.limits], [[server.body_limits]], [access_log] and [error_log] tables.
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "config/load.h"
#include "config/load_parts.h"
#include "config/send_buffer.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

// The listener's address forms: "HOST:PORT" with a numeric IPv4 host, "localhost" or nothing
// (all IPv4 interfaces), and "[V6]:PORT". Empty when fine.
std::string check_listen(std::string_view text) {
  std::string_view host;
  std::string_view port;
  bool v6 = !text.empty() && text.front() == '[';
  if (v6) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return "expected \"[V6]:PORT\" such as \"[::1]:8080\"";
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return "expected \"HOST:PORT\" such as \"127.0.0.1:8080\"";
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return "an IPv6 address goes in brackets: \"[" + std::string(host) +
             "]:" + std::string(port) + "\"";
  }
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || number > 65535)
    return single_quoted(port) + " is not a port; expected 0 to 65535";
  unsigned char scratch[16];
  std::string h(host);
  if (v6 ? inet_pton(AF_INET6, h.c_str(), scratch) == 1
         : (h.empty() || h == "localhost" || inet_pton(AF_INET, h.c_str(), scratch) == 1))
    return {};
  return single_quoted(h) + " is not a numeric " + (v6 ? "IPv6" : "IPv4") +
         " address (host names are not resolved)";
}

// listen, or tls_listen (which may be empty: no TLS). others: the addresses read already,
// which none may repeat.
void read_listen(table_reader& r, std::string_view name, std::vector<std::string>& out,
                 const std::vector<std::string>& others = {}) {
  auto listen = r.strings(name);
  if (!listen) return;
  if (listen->empty() && name == "listen") r.error(name, "expected at least one address");
  const toml::array& nodes = *r.table().get_as<toml::array>(name);
  for (std::size_t i = 0; i < listen->size(); ++i) {
    std::string key = std::string(name) + "[" + std::to_string(i) + "]";
    if (std::string why = check_listen((*listen)[i]); !why.empty())
      r.error_at(*nodes.get(i), key, why);
    else if (std::find(listen->begin(), listen->begin() + static_cast<std::ptrdiff_t>(i),
                       (*listen)[i]) != listen->begin() + static_cast<std::ptrdiff_t>(i))
      r.error_at(*nodes.get(i), key, single_quoted((*listen)[i]) + " is listed twice");
    else if (std::find(others.begin(), others.end(), (*listen)[i]) != others.end())
      r.error_at(*nodes.get(i), key,
                 single_quoted((*listen)[i]) + " is in listen too; an address speaks TLS or not");
  }
  out = *listen;
}

void read_methods(table_reader& r, server_options& o) {
  auto methods = r.strings("methods");
  if (!methods) return;
  const toml::array& nodes = *r.table().get_as<toml::array>("methods");
  for (std::size_t i = 0; i < methods->size(); ++i)
    if (std::string why = check_method((*methods)[i]); !why.empty())
      r.error_at(*nodes.get(i), "methods[" + std::to_string(i) + "]", why);
  o.methods = *methods;
}

// A size or duration that must not be zero: a zero limit would refuse every request.
template <class T, class V>
void positive(table_reader& r, std::string_view key, std::optional<V> value, T& out) {
  if (!value) return;
  if (*value == V{}) {
    r.error(key, "must be greater than zero");
    return;
  }
  out = static_cast<T>(*value);
}

void read_limits(table_reader& r, limits& l) {
  positive(r, "request_line", r.size("request_line"), l.request_line);
  positive(r, "field_line", r.size("field_line"), l.field_line);
  positive(r, "header_section", r.size("header_section"), l.header_section);
  if (auto n = r.integer("fields", 1, 1'000'000)) l.fields = static_cast<std::size_t>(*n);
  positive(r, "chunk_line", r.size("chunk_line"), l.chunk_line);
  positive(r, "chunk_extensions", r.size("chunk_extensions"), l.chunk_extensions);
  if (auto v = r.size("body")) l.body = *v;  // 0: no request may have a body
  positive(r, "header_timeout", r.duration("header_timeout"), l.header_timeout);
  positive(r, "body_timeout", r.duration("body_timeout"), l.body_timeout);
  if (auto v = r.size("body_min_rate")) l.body_min_rate = static_cast<std::size_t>(*v);  // 0: off
  positive(r, "keep_alive_timeout", r.duration("keep_alive_timeout"), l.keep_alive_timeout);
  positive(r, "send_timeout", r.duration("send_timeout"), l.send_timeout);
  if (l.field_line > l.header_section)
    r.error("field_line", "is larger than header_section, which holds every field line");
}

// A size, or "auto" for the kernel's autotuning.
void read_send_buffer(table_reader& r, limits& l) {
  const toml::node* n = r.get("send_buffer");
  if (n == nullptr) return;
  std::optional<std::uint64_t> bytes;
  if (const auto* s = n->as_string()) {
    bytes = parse_send_buffer(s->get());
    if (!bytes)
      r.error("send_buffer",
              single_quoted(s->get()) + " is not a size; write \"auto\", bytes or 64KiB, 1MiB");
  } else {
    bytes = r.size("send_buffer");
  }
  if (!bytes) return;
  if (std::string why = check_send_buffer(*bytes); !why.empty())
    r.error("send_buffer", why);
  else
    l.send_buffer = static_cast<std::size_t>(*bytes);
}

void read_body_limits(table_reader& r, std::vector<body_limit_rule>& out) {
  auto tables = r.tables("body_limits");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    table_reader t(r.diag(), *tables[i], r.key_path("body_limits") + "[" + std::to_string(i) + "]");
    body_limit_rule limit;
    t.require("prefix", "the path prefix the limit applies to, such as \"/upload/\"");
    if (auto prefix = t.string("prefix")) {
      if (std::string why = check_path_prefix(*prefix); !why.empty()) t.error("prefix", why);
      for (const body_limit_rule& other : out)
        if (other.prefix == *prefix) t.error("prefix", single_quoted(*prefix) + " is listed twice");
      limit.prefix = *prefix;
    }
    if (t.require("max", "the largest body accepted there, such as \"100MiB\""))
      if (auto max = t.size("max")) limit.max = *max;
    t.finish();
    out.push_back(std::move(limit));
  }
}

// [server.tls]. A minute at least: with the previous key kept, a ticket resumes for one to two
// periods, and a shorter one would make resumption rare. A week at most: a key that seals
// longer leaves more recorded sessions to whoever steals it (RFC 8446 §E.1).
void read_server_tls(table_reader& r, server_options& o) {
  constexpr std::chrono::milliseconds shortest = std::chrono::minutes{1};
  constexpr std::chrono::milliseconds longest = std::chrono::hours{7 * 24};
  auto d = r.duration("ticket_rotation");
  if (!d) return;
  if (*d < shortest || *d > longest || d->count() % 1000 != 0)
    r.error("ticket_rotation", as_written(*r.get("ticket_rotation")) +
                                   " is out of range; expected whole seconds from 1m to 7d");
  else
    o.tls_ticket_rotation = std::chrono::duration_cast<std::chrono::seconds>(*d);
}

}  // namespace

void read_server(table_reader& r, server_options& o) {
  read_listen(r, "listen", o.listen);
  read_listen(r, "tls_listen", o.tls_listen, o.listen);
  if (auto n = r.integer("workers", 0, 1024)) o.workers = static_cast<unsigned>(*n);
  if (auto n = r.integer("blocking_threads", min_blocking_threads, max_blocking_threads))
    o.blocking_threads = static_cast<unsigned>(*n);
  if (auto d = r.duration("drain_timeout")) o.drain_timeout = *d;
  read_methods(r, o);
  if (auto s = r.string("server_header")) {
    if (std::string why = check_field_value(*s); !why.empty()) r.error("server_header", why);
    o.server_header = *s;
  }
  if (auto b = r.boolean("strict_hosts")) o.strict_hosts = *b;
  if (auto b = r.boolean("http2")) o.http2 = *b;
  if (auto b = r.boolean("h2c")) o.h2c = *b;
  if (auto n = r.integer("max_connections", 0, 10'000'000))
    o.limits.max_connections = static_cast<std::size_t>(*n);
  if (auto n = r.integer("max_connections_per_address", 0, 10'000'000)) {
    o.limits.max_connections_per_address = static_cast<std::size_t>(*n);
    const std::size_t cap = o.limits.max_connections;
    if (cap > 0 && o.limits.max_connections_per_address > cap)
      r.error("max_connections_per_address",
              "is larger than max_connections (" + std::to_string(cap) + "), so it never applies");
  }
  if (auto d = r.duration("overload_retry_after"))
    o.limits.overload_retry_after = std::chrono::duration_cast<std::chrono::seconds>(*d);
  read_send_buffer(r, o.limits);
  if (const toml::table* t = r.sub_table("limits")) {
    table_reader l(r.diag(), *t, r.key_path("limits"));
    read_limits(l, o.limits);
    l.finish();
  }
  read_body_limits(r, o.limits.body_by_prefix);
  if (const toml::table* t = r.sub_table("tls")) {
    table_reader l(r.diag(), *t, r.key_path("tls"));
    read_server_tls(l, o);
    l.finish();
  }
}

void read_metrics(table_reader& r, metrics_config& out) {
  if (auto b = r.boolean("enabled")) out.enabled = *b;
  if (auto l = r.string("listen")) {
    if (std::string why = check_listen(*l); !why.empty())
      r.error("listen", why);
    else
      out.listen = *l;
  }
  if (auto p = r.string("path")) {
    if (std::string why = check_path_prefix(*p); !why.empty())
      r.error("path", why);
    else
      out.path = *p;
  }
  if (auto p = r.string("status_path")) {
    if (p->empty())
      out.status_path.clear();
    else if (std::string why = check_path_prefix(*p); !why.empty())
      r.error("status_path", why);
    else
      out.status_path = *p;
  }
  if (out.status_path == out.path)
    r.error(r.table().get("status_path") ? "status_path" : "path",
            "is both the metrics' path and the status page's; give each its own");
  if (r.table().get("allow")) {
    out.allow.clear();  // the list given replaces the default, the machine itself
    read_networks(r, "allow", out.allow);
  }
}

void read_access_log(table_reader& r, access_log_config& out) {
  if (auto b = r.boolean("enabled")) out.enabled = *b;
  if (auto f = r.string("format")) {
    if (*f == "common")
      out.format = access_log_format::common;
    else if (*f == "combined")
      out.format = access_log_format::combined;
    else if (*f == "json")
      out.format = access_log_format::json;
    else
      r.error("format", single_quoted(*f) +
                            " is not a format; expected \"common\", \"combined\" or \"json\"");
  }
  if (auto p = r.string("path"); p && *p != "-" && *p != "stdout") out.path = r.diag().resolve(*p);
}

void read_error_log(table_reader& r, error_log_config& out) {
  if (auto l = r.string("level")) {
    static constexpr std::pair<std::string_view, log_level> levels[] = {
        {"debug", log_level::debug},
        {"info", log_level::info},
        {"warn", log_level::warn},
        {"error", log_level::error}};
    auto it = std::find_if(std::begin(levels), std::end(levels),
                           [&](const auto& e) { return e.first == *l; });
    if (it == std::end(levels))
      r.error("level", single_quoted(*l) +
                           " is not a level; expected \"debug\", \"info\", \"warn\" or \"error\"");
    else
      out.level = it->second;
  }
  if (auto p = r.string("path"); p && *p != "-" && *p != "stderr") out.path = r.diag().resolve(*p);
}

}  // namespace teapot::config::detail
