// A [[sites]] table and its parts, but for auth (load_auth.cpp) and rules (load_rules.cpp).
#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

#include "base/ascii.h"
#include "config/load_compression.h"
#include "config/load_parts.h"
#include "config/single_quoted.h"
#include "config/units.h"
#include "http/date.h"

namespace teapot::config::detail {

namespace {

std::string check_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return "is not a host name (1 to 253 characters)";
  if (name.back() == '.') return "ends with '.'; write the name without it";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = std::min(name.find('.', start), name.size());
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return "has an empty or over-long label";
    if (label.front() == '-' || label.back() == '-')
      return "has a label that starts or ends with '-'";
    for (char c : label)
      if (!base::ascii::is_alpha(c) && !base::ascii::is_digit(c) && c != '-' && c != '_')
        return "holds '" + std::string(1, c) + "'; a host name has letters, digits, '-' and '.'";
    start = dot + 1;
  }
  return {};
}

// Lower case in `out`; empty when fine, else what is wrong.
std::string check_host(std::string_view text, std::string& out) {
  out.clear();
  for (char c : text)
    out += base::ascii::to_lower(c);
  if (!out.empty() && out.front() == '[') {
    unsigned char scratch[16];
    std::string inside = out.size() > 2 && out.back() == ']' ? out.substr(1, out.size() - 2) : "";
    if (inet_pton(AF_INET6, inside.c_str(), scratch) == 1) return {};
    return "is not a bracketed IPv6 address such as \"[::1]\"";
  }
  if (std::size_t colon = out.find(':'); colon != std::string::npos) {
    if (out.find(':', colon + 1) != std::string::npos)
      return "is an IPv6 address without brackets; write \"[" + out + "]\"";
    return "carries a port; a site's host names carry none: write \"" + out.substr(0, colon) + "\"";
  }
  std::string_view name = out;
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.find('*') != std::string_view::npos)
    return "has a '*' other than a leading \"*.\" (\"*.example.com\" claims every subdomain)";
  return check_dns_name(name);
}

void read_hosts(table_reader& r, site_config& out) {
  auto hosts = r.strings("hosts");
  if (!hosts) return;
  const toml::array& nodes = *r.table().get_as<toml::array>("hosts");
  for (std::size_t i = 0; i < hosts->size(); ++i) {
    std::string host;
    if (std::string why = check_host((*hosts)[i], host); !why.empty())
      r.error_at(*nodes.get(i), "hosts[" + std::to_string(i) + "]",
                 single_quoted((*hosts)[i]) + " " + why);
    out.hosts.push_back(std::move(host));
  }
}

void read_captive_portal(table_reader& r, handlers::captive_portal_options& out) {
  if (!r.require("login_url", "where the portal sends people to log in")) return;
  if (auto url = r.string("login_url")) {
    if (std::string why = check_url(*url, true); !why.empty()) r.error("login_url", why);
    out.login_url = *url;
  }
}

// Seconds, a duration, or an HTTP-date (RFC 9110 §10.2.3).
void read_retry_after(table_reader& r, handlers::retry_after_value& out) {
  const toml::node* n = r.get("retry_after");
  if (!n) return;
  if (const auto* s = n->as_string()) {
    if (auto date = http::parse_http_date(s->get()))
      out = std::chrono::system_clock::from_time_t(*date);
    else if (auto d = parse_duration(s->get()))
      out = std::chrono::ceil<std::chrono::seconds>(*d);  // the field counts whole seconds
    else
      r.error("retry_after", single_quoted(s->get()) +
                                 " is neither a duration (\"2m\") nor an HTTP-date (\"Sun, 06 "
                                 "Nov 1994 08:49:37 GMT\")");
  } else if (const auto* i = n->as_integer(); i && i->get() >= 0) {
    out = std::chrono::seconds(i->get());
  } else {
    r.error("retry_after",
            "expected seconds, a duration or an HTTP-date, found " + std::string(type_name(*n)));
  }
}

void read_maintenance(table_reader& r, handlers::maintenance_options& out) {
  if (auto b = r.boolean("enabled")) out.enabled = *b;
  if (auto prefixes = r.strings("prefixes")) {
    for (const std::string& p : *prefixes)
      if (std::string why = check_path_prefix(p); !why.empty()) r.error("prefixes", why);
    out.prefixes = *prefixes;
  }
  if (auto file = r.string("trigger_file")) {
    out.trigger_file = r.diag().resolve(*file);
    std::error_code ec;
    if (!std::filesystem::is_directory(out.trigger_file.parent_path(), ec))
      r.error("trigger_file", "its directory '" + out.trigger_file.parent_path().string() +
                                  "' does not exist, so the file could never be created");
  }
  read_retry_after(r, out.retry_after);
}

// "10/s", "600/m", "5/2s": requests, then the period they refill over.
bool parse_rate(std::string_view text, handlers::rate_limit_rule& out) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::uint32_t requests = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + slash, requests);
  if (ec != std::errc{} || end != text.data() + slash || requests == 0) return false;
  std::string period(text.substr(slash + 1));
  if (!period.empty() && !base::ascii::is_digit(period.front())) period = "1" + period;
  auto per = parse_duration(period);
  if (!per || per->count() == 0) return false;
  out.requests = requests;
  out.per = *per;
  return true;
}

void read_rate_limit(table_reader& r, handlers::rate_limit_rule& out) {
  if (auto p = r.string("prefix")) {
    if (std::string why = check_path_prefix(*p); !why.empty()) r.error("prefix", why);
    out.prefix = *p;
  }
  if (auto h = r.string("header")) {
    if (std::string why = check_field_name(*h); !why.empty()) r.error("header", why);
    out.key = handlers::rate_limit_key::header;
    out.header = *h;
  }
  if (auto k = r.string("key")) {
    if (*k == "client_address" && out.header.empty())
      out.key = handlers::rate_limit_key::client_address;
    else if (*k == "header" && out.header.empty())
      r.error("key", "key = \"header\" needs header = \"NAME\" (such as \"X-API-Key\")");
    else if (*k != "header" && *k != "client_address")
      r.error("key",
              single_quoted(*k) + " is not a key; expected \"client_address\" or \"header\"");
    else if (*k == "client_address")
      r.error("key", "key = \"client_address\" contradicts header = \"" + out.header + "\"");
  }
  if (r.require("rate", "requests per period, such as \"10/s\" or \"600/m\""))
    if (auto rate = r.string("rate"); rate && !parse_rate(*rate, out))
      r.error("rate", single_quoted(*rate) +
                          " is not a rate; expected REQUESTS/PERIOD such as \"10/s\", "
                          "\"600/m\" or \"5/2s\"");
  out.burst = out.requests;
  if (auto b = r.integer("burst", 1, 1'000'000)) out.burst = static_cast<std::uint32_t>(*b);
}

void read_error_pages(table_reader& r, error_page_options& out) {
  if (auto b = r.boolean("problem_json")) out.problem_json = *b;
  // Empty is allowed: no Cache-Control at all, for a site behind a cache that decides itself.
  if (auto c = r.string("cache_control")) {
    if (std::string why = check_field_value(*c); !why.empty()) r.error("cache_control", why);
    out.cache_control = *c;
  }
  const toml::table* files = r.sub_table("files");
  if (!files) return;
  table_reader f(r.diag(), *files, r.key_path("files"));
  for (auto&& [key, value] : *files) {
    int code = 0;
    std::string_view k = key.str();
    auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), code);
    if (ec != std::errc{} || end != k.data() + k.size() || code < 400 || code > 599 ||
        !http::find_status(code)) {
      f.error(k, single_quoted(k) +
                     " is not an error status; expected a registered "
                     "4xx or 5xx code such as \"404\"");
      f.get(k);
      continue;
    }
    if (auto path = read_existing_path(f, k, false)) {
      // The server reads the page when it starts: a file it may not read is a mistake now.
      errno = 0;
      if (!std::ifstream(*path, std::ios::binary))
        f.error(k, single_quoted(path->string()) + " cannot be read: " +
                       std::generic_category().message(errno ? errno : EACCES));
      out.files[code] = *path;
    }
  }
  f.finish();
}

}  // namespace

namespace {

// hsts and its directives. The preload list (hstspreload.org) refuses a domain whose field
// lacks includeSubDomains or gives less than a year: preload without them would ask browsers'
// makers for what they refuse, so it is a mistake here rather than a surprise there.
void read_hsts(table_reader& r, https_options& out) {
  constexpr std::chrono::seconds year{31'536'000};
  if (auto d = r.duration("hsts")) {
    if (d->count() % 1000 != 0)
      r.error("hsts", as_written(*r.get("hsts")) +
                          " is not a whole number of seconds, which max-age counts (RFC 6797 "
                          "§6.1.1)");
    else
      out.hsts_max_age = std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  if (auto b = r.boolean("hsts_include_subdomains")) out.hsts_include_subdomains = *b;
  if (auto b = r.boolean("hsts_preload")) out.hsts_preload = *b;
  const bool has_hsts = r.table().get("hsts") != nullptr;
  for (const char* key : {"hsts_include_subdomains", "hsts_preload"})
    if (!has_hsts && r.table().get(key))
      r.error(key, "needs hsts, the max-age of Strict-Transport-Security (such as \"365d\")");
  if (!out.hsts_preload || !out.hsts_max_age) return;
  if (!out.hsts_include_subdomains)
    r.error("hsts_preload",
            "the preload list requires includeSubDomains; set hsts_include_subdomains = true");
  if (*out.hsts_max_age < year)
    r.error("hsts_preload", "the preload list requires a max-age of a year at least; hsts is " +
                                std::to_string(out.hsts_max_age->count()) +
                                " seconds, write \"365d\" or more");
}

}  // namespace

// [sites.tls]: the files must exist; whether they load and match is for the server (or
// `teapot check`), which reads them with OpenSSL.
void read_tls(table_reader& r, tls_certificate& out, https_options& https) {
  r.require("certificate", "the certificate chain, a PEM file such as \"cert.pem\"");
  r.require("key", "the certificate's private key, a PEM file such as \"key.pem\"");
  if (auto chain = read_existing_path(r, "certificate", false)) out.chain = *chain;
  if (auto key = read_existing_path(r, "key", false)) out.key = *key;
  if (auto ocsp = read_existing_path(r, "ocsp_response", false)) out.ocsp_response = *ocsp;
  if (auto b = r.boolean("redirect_http")) https.redirect_http = *b;
  if (auto b = r.boolean("early_data")) out.early_data = *b;
  read_hsts(r, https);
}

void read_site(table_reader& r, site_config& out) {
  read_hosts(r, out);
  if (auto d = r.boolean("default")) out.is_default = *d;
  if (!r.table().get("hosts") && !out.is_default)
    r.missing("hosts", "the host names the site answers for; or default = true");
  if (auto root = read_existing_path(r, "root", true)) out.static_files.root = *root;
  // A sub-table read into target, or into the optional target engaged for it.
  auto into = [&r](std::string_view key, auto& target, auto read) {
    if (const toml::table* t = r.sub_table(key)) {
      table_reader p(r.diag(), *t, r.key_path(key));
      read(p, target);
      p.finish();
    }
  };
  auto part = [&r](std::string_view key, auto& target, auto read) {
    if (const toml::table* t = r.sub_table(key)) {
      table_reader p(r.diag(), *t, r.key_path(key));
      read(p, target.emplace());
      p.finish();
    }
  };
  part("captive_portal", out.captive_portal, read_captive_portal);
  part("maintenance", out.maintenance, read_maintenance);
  part("auth", out.auth, read_auth);
  if (const toml::table* t = r.sub_table("tls")) {
    table_reader p(r.diag(), *t, r.key_path("tls"));
    read_tls(p, out.tls.emplace(), out.https);
    p.finish();
  }
  auto each = [&r](std::string_view key, auto& list, auto read) {
    auto tables = r.tables(key);
    for (std::size_t i = 0; i < tables.size(); ++i) {
      table_reader p(r.diag(), *tables[i], r.key_path(key) + "[" + std::to_string(i) + "]");
      read(p, list.emplace_back());
      p.finish();
    }
  };
  each("rate_limits", out.rate_limits, read_rate_limit);
  each("rules", out.rules, read_rule);
  each("early_hints", out.early_hints, read_early_hints);
  if (auto ext = r.strings("mandatory_extensions")) {
    for (const std::string& e : *ext)
      if (e.empty() || !check_field_value(e).empty() ||
          e.find_first_of(" \t\"") != std::string::npos)
        r.error("mandatory_extensions", single_quoted(e) +
                                            " is not an extension identifier (RFC 2774 "
                                            "§4: an absolute URI or a field name)");
    out.mandatory_extensions = *ext;
  }
  into("error_pages", out.error_pages, read_error_pages);
  into("static", out.static_files, read_static);
  part("compression", out.compression, read_compression);
  part("delta_encoding", out.delta_encoding, read_delta_encoding);
  read_webdav_areas(r, out.webdav);
  read_websockets(r, out.websockets);
  read_proxies(r, out.proxies);
  part("forward_proxy", out.forward_proxy, read_forward_proxy);
}

}  // namespace teapot::config::detail
