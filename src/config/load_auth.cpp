// The [sites.auth] table: Basic auth against an htpasswd file, groups, and client networks.
#include <algorithm>
#include <fstream>
#include <set>

#include "config/cidr.h"
#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

// The hashes libcrypt verifies and that are worth trusting; MD5 ($apr1$), SHA-1 ({SHA}) and
// DES crypt are refused, because accepting them would let a weak file pass the check.
bool is_supported_hash(std::string_view hash) {
  for (std::string_view prefix : {"$2y$", "$2b$", "$2a$", "$5$", "$6$", "$y$"})
    if (hash.substr(0, prefix.size()) == prefix && hash.size() > prefix.size()) return true;
  return false;
}

void read_groups(table_reader& r, handlers::basic_auth_options& out) {
  const toml::table* groups = r.sub_table("groups");
  if (!groups) return;
  table_reader g(r.diag(), *groups, r.key_path("groups"));
  for (auto&& [key, value] : *groups)
    if (auto users = g.strings(key.str())) out.groups[std::string(key.str())] = *users;
  g.finish();
}

// Names that the file or the groups table do not hold: a typo there would lock a person out
// without any message, so it is an error here.
void check_names(table_reader& r, std::string_view key, const std::vector<std::string>& names,
                 const std::set<std::string>* known, std::string_view what) {
  if (!known) return;
  const toml::array* nodes = r.table().get_as<toml::array>(key);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] != "*" && !known->count(names[i]))
      r.error_at(*nodes->get(i), std::string(key) + "[" + std::to_string(i) + "]",
                 single_quoted(names[i]) + " is not " + std::string(what));
}

void read_access_rule(table_reader& r, handlers::access_rule& out,
                      const std::set<std::string>* users, const std::set<std::string>& groups,
                      bool has_htpasswd) {
  if (r.require("prefix", "the path prefix it guards, such as \"/admin/\""))
    if (auto p = r.string("prefix")) {
      if (std::string why = check_path_prefix(*p); !why.empty()) r.error("prefix", why);
      out.prefix = *p;
    }
  if (auto u = r.strings("users")) out.users = *u;
  if (auto g = r.strings("groups")) out.groups = *g;
  read_networks(r, "allow", out.allow);
  read_networks(r, "deny", out.deny);
  if ((!out.users.empty() || !out.groups.empty()) && !has_htpasswd)
    r.error(out.users.empty() ? "groups" : "users",
            "naming users needs the site's auth.htpasswd file, which holds their passwords");
  check_names(r, "users", out.users, users, "a user of the htpasswd file");
  check_names(r, "groups", out.groups, &groups, "a group of auth.groups");
}

}  // namespace

std::set<std::string> read_htpasswd(diagnostics& diag, const std::filesystem::path& path) {
  std::set<std::string> users;
  std::ifstream in(path);
  if (!in) {
    diag.error_in(path, 0, "cannot be read");
    return users;
  }
  std::string line;
  for (std::uint32_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string::npos) {
      diag.error_in(path, number, "expected USER:HASH");
      continue;
    }
    std::string user = line.substr(0, colon);
    if (!users.insert(user).second)
      diag.error_in(path, number, "user '" + user + "' appears twice");
    if (!is_supported_hash(std::string_view(line).substr(colon + 1)))
      diag.error_in(path, number,
                    "the hash of '" + user +
                        "' is not bcrypt ($2y$), SHA-crypt ($5$, $6$) or yescrypt ($y$); "
                        "make one with `htpasswd -B`");
  }
  return users;
}

std::optional<std::string> read_realm(table_reader& r) {
  auto realm = r.string("realm");
  if (realm && (realm->empty() || realm->find_first_of("\"\\") != std::string::npos ||
                !check_field_value(*realm).empty()))
    r.error("realm", "must be non-empty text without '\"', '\\' or control characters");
  return realm;
}

void read_networks(table_reader& r, std::string_view key, std::vector<handlers::ip_network>& out) {
  auto list = r.strings(key);
  if (!list) return;
  const toml::array& nodes = *r.table().get_as<toml::array>(key);
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string why;
    if (auto net = parse_cidr((*list)[i], why))
      out.push_back(*net);
    else
      r.error_at(*nodes.get(i), std::string(key) + "[" + std::to_string(i) + "]", why);
  }
}

void read_auth(table_reader& r, handlers::basic_auth_options& out) {
  std::optional<std::set<std::string>> users;
  if (auto path = read_existing_path(r, "htpasswd", false)) {
    out.htpasswd = *path;
    users = read_htpasswd(r.diag(), *path);
  }
  bool has_htpasswd = r.table().get("htpasswd") != nullptr;
  if (auto realm = read_realm(r)) out.realm = *realm;
  read_groups(r, out);
  std::set<std::string> group_names;
  if (const toml::table* t = r.table().get_as<toml::table>("groups")) {
    table_reader g(r.diag(), *t, r.key_path("groups"));
    for (const auto& [name, members] : out.groups) {
      group_names.insert(name);
      check_names(g, name, members, users ? &*users : nullptr, "a user of the htpasswd file");
    }
  }
  read_networks(r, "allow", out.allow);
  read_networks(r, "deny", out.deny);
  auto tables = r.tables("paths");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    table_reader p(r.diag(), *tables[i], r.key_path("paths") + "[" + std::to_string(i) + "]");
    read_access_rule(p, out.paths.emplace_back(), users ? &*users : nullptr, group_names,
                     has_htpasswd);
    p.finish();
  }
}

}  // namespace teapot::config::detail
