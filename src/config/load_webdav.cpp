// The [[sites.webdav]] tables, and the methods a server with WebDAV areas must know.
#include <algorithm>
#include <string>
#include <system_error>

#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

// A prefix is matched as the router's "/dav/*": only its trailing '/' keeps "/dav/" from
// taking "/davx" too.
void read_prefix(table_reader& r, handlers::webdav_options& out) {
  if (!r.require("prefix", "the URL path the area answers below, such as \"/dav/\"")) return;
  auto prefix = r.string("prefix");
  if (!prefix) return;
  if (std::string why = check_path_prefix(*prefix); !why.empty())
    r.error("prefix", why);
  else if (prefix->back() != '/')
    r.error("prefix", single_quoted(*prefix) + " does not end with '/'; write \"" + *prefix +
                          "/\" (\"/\" for the whole site)");
  out.prefix = *prefix;
}

// May not exist yet (the area creates it), but its directory must.
void read_database(table_reader& r, handlers::webdav_options& out) {
  auto file = r.string("database");
  if (!file) return;
  if (file->empty()) {
    r.error("database", "is empty; leave the key out for the default, ROOT/.teapot-dav.sqlite3");
    return;
  }
  out.database = r.diag().resolve(*file);
  std::error_code ec;
  if (std::filesystem::is_directory(out.database, ec))
    r.error("database", single_quoted(out.database.string()) +
                            " is a directory; name the database file inside it");
  else if (!std::filesystem::is_directory(out.database.parent_path(), ec))
    r.error("database", "its directory '" + out.database.parent_path().string() +
                            "' does not exist, so the database could never be created");
}

void read_webdav(table_reader& r, handlers::webdav_options& out) {
  read_prefix(r, out);
  if (r.require("root", "the directory the area maps to"))
    if (auto root = read_existing_path(r, "root", true)) out.root = *root;
  if (auto b = r.boolean("read_only")) out.read_only = *b;
  if (auto q = r.size("quota")) {
    if (*q == 0)
      r.error("quota", "must be greater than zero; read_only = true refuses every write");
    else
      out.quota = *q;
  }
  if (auto b = r.boolean("depth_infinity")) out.depth_infinity = *b;
  if (auto d = r.duration("max_lock_timeout")) {
    // The Timeout field counts whole seconds (RFC 4918 §10.7).
    if (*d < std::chrono::seconds(1))
      r.error("max_lock_timeout", "must be at least one second");
    else
      out.max_lock_timeout = std::chrono::floor<std::chrono::seconds>(*d);
  }
  if (auto d = r.duration("processing_interval")) {
    if (d->count() == 0)
      r.error("processing_interval", "must be greater than zero");
    else
      out.processing_interval = *d;
  }
  if (auto b = r.boolean("require_if_match")) out.require_if_match = *b;
  read_database(r, out);
  // Inside the tree, the database is a file clients could fetch, replace or delete unless its
  // name is one of the server's own, which no request may name.
  if (!out.database.empty() && !out.root.empty()) {
    const std::string db = std::filesystem::absolute(out.database).lexically_normal().string();
    const std::string root = std::filesystem::absolute(out.root).lexically_normal().string();
    if (db.starts_with(root + (root.ends_with('/') ? "" : "/")) &&
        !out.database.filename().string().starts_with(".teapot-"))
      r.error("database", single_quoted(out.database.string()) +
                              " is inside the area's root: name it .teapot-*, which no "
                              "request may reach, or keep it outside");
  }
  if (auto s = r.size("max_xml_body")) {
    if (*s == 0)
      r.error("max_xml_body", "must be greater than zero");
    else
      out.max_xml_body = static_cast<std::size_t>(*s);
  }
}

bool has_prefix(const toml::table& t) {
  return t.get_as<std::string>("prefix") != nullptr;
}

}  // namespace

void read_webdav_areas(table_reader& site, std::vector<handlers::webdav_options>& out) {
  auto tables = site.tables("webdav");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    table_reader r(site.diag(), *tables[i],
                   site.key_path("webdav") + "[" + std::to_string(i) + "]");
    handlers::webdav_options& area = out.emplace_back();
    read_webdav(r, area);
    // Two areas below one prefix: the second would never be reached.
    for (std::size_t j = 0; j < i; ++j)
      if (has_prefix(*tables[i]) && has_prefix(*tables[j]) && out[j].prefix == area.prefix) {
        r.error("prefix", single_quoted(area.prefix) + " is the prefix of " +
                              site.key_path("webdav") + "[" + std::to_string(j) +
                              "] already; each area has a prefix of its own");
        break;
      }
    r.finish();
  }
}

void add_webdav_methods(configuration& c) {
  const bool any = std::any_of(c.sites.begin(), c.sites.end(),
                               [](const site_config& s) { return !s.webdav.empty(); });
  if (!any) return;
  std::vector<std::string>& methods = c.server.methods;
  for (const std::string& m : handlers::webdav_methods())
    if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
}

}  // namespace teapot::config::detail
