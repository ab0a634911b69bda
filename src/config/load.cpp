#include "config/load.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "config/load_parts.h"
#include "config/reader.h"

namespace teapot::config {

std::string format_error(const config_error& error) {
  std::string out = error.file.string();
  if (error.line != 0) {
    out += ':';
    out += std::to_string(error.line);
    out += ':';
    out += std::to_string(error.column);
  }
  return out + ": " + error.message;
}

namespace {

using detail::diagnostics;
using detail::table_reader;

// Reads `key` of `parent` as a table, when present, with `read` and then its unknown keys.
template <class Read>
void read_part(table_reader& parent, std::string_view key, Read read) {
  if (const toml::table* t = parent.sub_table(key)) {
    table_reader r(parent.diag(), *t, parent.key_path(key));
    read(r);
    r.finish();
  }
}

const toml::node* host_node(const toml::table& site, std::size_t index) {
  const toml::array* hosts = site.get_as<toml::array>("hosts");
  return hosts && index < hosts->size() ? hosts->get(index) : nullptr;
}

// Every host name belongs to one site: otherwise which site answers would depend on order.
void check_duplicate_hosts(diagnostics& diag, const std::vector<const toml::table*>& tables,
                           const std::vector<site_config>& sites) {
  std::map<std::string, std::size_t> owner;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    for (std::size_t j = 0; j < sites[i].hosts.size(); ++j) {
      const std::string& host = sites[i].hosts[j];
      auto [it, fresh] = owner.emplace(host, i);
      if (fresh) continue;
      const toml::node* n = host_node(*tables[i], j);
      std::string where = "sites[" + std::to_string(i) + "].hosts[" + std::to_string(j) + "]";
      std::string first =
          it->second == i ? "earlier in this site" : "by sites[" + std::to_string(it->second) + "]";
      where.append(": host '").append(host).append("' is already claimed ").append(first);
      where.append("; each host name belongs to one site");
      diag.error(n ? n->source() : tables[i]->source(), where);
    }
  }
}

void choose_default_site(diagnostics& diag, const std::vector<const toml::table*>& tables,
                         configuration& c) {
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    if (!c.sites[i].is_default) continue;
    const toml::node* n = tables[i]->get("default");
    std::string where = "sites[" + std::to_string(i) + "].default: ";
    if (c.server.strict_hosts)
      diag.error(n->source(), where +
                                  "a default site contradicts server.strict_hosts = true, "
                                  "which answers unclaimed hosts with 421; remove one of them");
    else if (c.default_site)
      diag.error(n->source(), where + "sites[" + std::to_string(*c.default_site) +
                                  "] is the default already; only one site may be");
    else
      c.default_site = i;
  }
  if (!c.server.strict_hosts && !c.default_site && !c.sites.empty()) c.default_site = 0;
}

// The sites' certificates, in the order of the sites: the first is the one a client without
// SNI (or with a name none covers) gets (RFC 6066 §3).
// Each is loaded once here, so that a file OpenSSL cannot read, or a key that does not match,
// is a mistake of the configuration, found by `teapot check` and refused by a reload.
void collect_certificates(diagnostics& diag, const std::vector<const toml::table*>& tables,
                          const toml::table& root, configuration& c) {
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    const site_config& s = c.sites[i];
    if (!s.tls || s.tls->chain.empty() || s.tls->key.empty()) continue;
    tls_certificate cert = *s.tls;
    cert.names = s.hosts;
    if (std::string why = check_certificate(cert); !why.empty()) {
      const toml::node* n = tables[i]->get("tls");
      diag.error(n->source(), "sites[" + std::to_string(i) + "].tls: " + why);
    }
    c.server.certificates.push_back(std::move(cert));
    if (s.https.redirect_http && c.server.tls_listen.empty()) {
      const toml::node* n = tables[i]->get_as<toml::table>("tls")->get("redirect_http");
      diag.error(n->source(), "sites[" + std::to_string(i) +
                                  "].tls.redirect_http: needs server.tls_listen, whose first "
                                  "port the redirect names; there is no HTTPS port to send "
                                  "clients to");
    }
  }
  if (c.server.tls_listen.empty() || !c.server.certificates.empty()) return;
  const toml::node* server = root.get("server");
  const toml::node* n =
      server && server->as_table() ? server->as_table()->get("tls_listen") : nullptr;
  diag.error(n ? n->source() : root.source(),
             "server.tls_listen: no site has a certificate; give one a [sites.tls] table with "
             "certificate and key, or remove tls_listen");
}

void read_root(diagnostics& diag, const toml::table& root, configuration& c) {
  table_reader r(diag, root, "");
  read_part(r, "server", [&](table_reader& t) {
    detail::read_server(t, c.server);
    if (const toml::table* m = t.sub_table("metrics")) {
      table_reader mr(diag, *m, t.key_path("metrics"));
      detail::read_metrics(mr, c.metrics);
      const auto& l = c.server.listen;
      if (!c.metrics.listen.empty() && std::find(l.begin(), l.end(), c.metrics.listen) != l.end())
        mr.error("listen",
                 "is one of server.listen; the metrics need a listener of their own "
                 "(or no listen, for a path on the default site)");
      if (c.metrics.enabled && c.metrics.listen.empty() && c.server.strict_hosts)
        mr.error("enabled",
                 "without listen, the metrics are a path of the default site, and "
                 "server.strict_hosts = true leaves none; give them a listen address");
      mr.finish();
      c.server.metrics = c.metrics.enabled;
    }
  });
  read_part(r, "access_log", [&](table_reader& t) { detail::read_access_log(t, c.access_log); });
  read_part(r, "error_log", [&](table_reader& t) { detail::read_error_log(t, c.error_log); });
  std::vector<const toml::table*> tables = r.tables("sites");
  if (!root.get("sites")) r.missing("sites", "at least one [[sites]] table");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    table_reader s(diag, *tables[i], "sites[" + std::to_string(i) + "]");
    detail::read_site(s, c.sites.emplace_back());
    s.finish();
  }
  r.finish();
  detail::add_webdav_methods(c);
  collect_certificates(diag, tables, root, c);
  check_duplicate_hosts(diag, tables, c.sites);
  choose_default_site(diag, tables, c);
}

std::string ascii_skeleton(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) > 0x7f) c = '@';
  return out;
}

// toml++'s error on the skeleton, whose columns count bytes; when it names a byte that was not
// ASCII, the mistake is that character, which toml++'s message would call '@'.
void report_parse_error(diagnostics& diag, std::string_view text, const toml::parse_error& e) {
  const toml::source_position at = e.source().begin;
  std::size_t line_start = 0;
  for (std::uint32_t line = 1; line < at.line && line_start != std::string_view::npos; ++line) {
    line_start = text.find('\n', line_start);
    if (line_start != std::string_view::npos) ++line_start;
  }
  const std::size_t offset = line_start == std::string_view::npos || at.column == 0
                                 ? std::string_view::npos
                                 : line_start + at.column - 1;
  if (offset >= text.size() || static_cast<unsigned char>(text[offset]) <= 0x7f) {
    diag.error(e.source(), "invalid TOML: " + std::string(e.description()));
    return;
  }
  // Columns count characters, as toml++'s do on text that is not ASCII.
  std::uint32_t column = 1;
  for (std::size_t k = line_start; k < offset; ++k)
    column += (static_cast<unsigned char>(text[k]) & 0xc0) != 0x80;
  diag.error(toml::source_position{at.line, column},
             "invalid TOML: a character other than ASCII outside a string or comment; quote the "
             "key or the value that holds it");
}

}  // namespace

load_result load_config_text(std::string_view text, const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec).lexically_normal();
  diagnostics diag(file, absolute.parent_path());
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // as toml++ would
  toml::table root;
  try {
    // toml++ 3.3 reaches __builtin_unreachable when it asks whether a character from U+00A1
    // to U+0499 outside a string is whitespace, which a mistake in a file makes it do ("[§]",
    // "café = 1", "s = 1.'ќ"; found by fuzz/config_fuzz.cpp). So it first reads the text with
    // every byte above 0x7F made '@', which no TOML allows outside strings and comments: only
    // a text that then parses, and so holds such bytes nowhere else, is read as it is.
    static_cast<void>(toml::parse(ascii_skeleton(text), file.string()));
  } catch (const toml::parse_error& e) {
    report_parse_error(diag, text, e);
    return {std::nullopt, diag.take()};
  }
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    diag.error(e.source(), "invalid TOML: " + std::string(e.description()));
    return {std::nullopt, diag.take()};
  }
  configuration c;
  c.source = absolute;
  read_root(diag, root, c);
  if (diag.has_errors()) return {std::nullopt, diag.take()};
  return {std::move(c), {}};
}

load_result load_config(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return {std::nullopt, {{file, 0, 0, "is a directory; expected a TOML file"}}};
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {std::nullopt,
            {{file, 0, 0, "cannot be read: " + std::generic_category().message(errno)}}};
  std::ostringstream text;
  text << in.rdbuf();
  return load_config_text(text.str(), file);
}

}  // namespace teapot::config
