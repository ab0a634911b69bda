// The configuration model: what a teapot.toml says, as plain values, checked and complete.
//
// load_config() (config/load.h) is the only producer; it hands out a model only when the whole
// file is valid, so a consumer never meets a half-filled one. Paths are absolute (relative ones
// in the file are resolved against the file's directory). Host names are lower case. Every
// list keeps the order of the file, because order decides (first matching rule wins).
//
// Values are immutable after loading and carry no references: a model may be copied to each
// worker, or swapped as a whole on reload.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "teapot/http/status.h"
#include "teapot/server.h"

namespace teapot::config {

// A request path selector: the same three forms serve rules, early hints, cache-control
// patterns, and every "per path" option.
enum class match_kind : std::uint8_t {
  exact,   // the path equals the pattern
  prefix,  // the path starts with the pattern; capture $1 is the rest of the path
  glob,    // '*' is any run of characters but '/', '**' any run at all, '?' one character but
           // '/'; each '*' or '**' is a capture, $1 from the left
};

struct path_match {
  match_kind kind = match_kind::prefix;
  std::string pattern = "/";
};

// Limits that differ from server.limits.body under some path prefixes (uploads, say). The
// longest matching prefix wins; 413 past it.
struct body_limit {
  std::string prefix;
  std::uint64_t max = 0;
};

enum class access_log_format : std::uint8_t { common, combined, json };

struct access_log_config {
  bool enabled = true;
  access_log_format format = access_log_format::combined;
  std::filesystem::path path;  // empty: standard output
};

enum class log_level : std::uint8_t { debug, info, warn, error };

struct error_log_config {
  log_level level = log_level::info;
  std::filesystem::path path;  // empty: standard error
};

struct server_config {
  teapot::server_options options;  // listeners, workers, limits, drain timeout, methods
  std::vector<body_limit> body_limits;
  // A Host that no site claims gets 421 instead of the default site.
  bool strict_hosts = false;
  // Open connections across all workers; 0 is no cap. Past it: 503 with Retry-After.
  std::size_t max_connections = 0;
  std::chrono::seconds overload_retry_after{5};
};

// Retry-After (RFC 9110 §10.2.3): nothing, a delay, or a date.
using retry_after =
    std::variant<std::monostate, std::chrono::seconds, std::chrono::system_clock::time_point>;

// 511 for every request but the login page (RFC 6585 §6).
struct captive_portal_config {
  std::string login_url;  // absolute URL, or a path on this site (then exempt from the 511)
};

// 503 with Retry-After. On when `enabled`, or while trigger_file exists.
struct maintenance_config {
  bool enabled = false;
  std::vector<std::string> prefixes;   // empty: the whole site
  std::filesystem::path trigger_file;  // empty: none
  teapot::config::retry_after retry_after;
};

enum class rate_key : std::uint8_t { client_address, header };

// A token bucket per key: `requests` tokens refill over `per`, at most `burst` saved up.
// Over the limit: 429 with Retry-After and RateLimit-Policy/RateLimit.
struct rate_limit_config {
  std::string prefix = "/";
  rate_key key = rate_key::client_address;
  std::string header;  // with rate_key::header: its name (requests without it are keyed by
                       // client address)
  std::uint32_t requests = 0;
  std::chrono::milliseconds per{1000};
  std::uint32_t burst = 0;
};

// An IPv4 or IPv6 network. IPv4 is stored as its IPv4-mapped IPv6 form (::ffff:a.b.c.d) and
// its prefix length plus 96, so one comparison serves both families.
struct cidr {
  std::array<std::uint8_t, 16> address{};
  std::uint8_t prefix_length = 0;  // 0..128, in the IPv6 form
  bool contains(const std::array<std::uint8_t, 16>& address) const noexcept;
};

// Who may reach a path prefix. Deny is checked first, then allow (when non-empty: only those
// networks, 403 otherwise), then credentials: when users or groups are named, Basic auth is
// required (401) and the user must be named or in a named group (403).
struct access_rule {
  std::string prefix;
  std::vector<std::string> users;  // "*": any user of the htpasswd file
  std::vector<std::string> groups;
  std::vector<cidr> allow;
  std::vector<cidr> deny;
};

struct auth_config {
  std::filesystem::path htpasswd;  // bcrypt ($2y$, $2b$), SHA-crypt ($5$, $6$), yescrypt ($y$)
  std::string realm = "teapot";
  std::map<std::string, std::vector<std::string>> groups;  // group -> its users
  std::vector<cidr> allow;                                 // the whole site
  std::vector<cidr> deny;
  std::vector<access_rule> paths;  // longest prefix wins
};

enum class rule_kind : std::uint8_t {
  redirect,             // 301/302/303/307/308 with Location
  return_,              // any final status, optional body and headers (402 lives here)
  gone,                 // 410
  legal_block,          // 451 with Link: <blocked_by>; rel="blocked-by" (RFC 7725)
  teapot,               // 418, for any method (BREW and WHEN too)
  require_conditional,  // 428 for listed methods without If-Match or If-Unmodified-Since
  headers,              // adds/removes response headers; answers nothing, never stops the search
};

struct rule {
  path_match match;
  std::vector<std::string> methods;  // empty: any (require_conditional: its default list)
  rule_kind kind = rule_kind::return_;
  http::status status = http::status::ok;  // the status the rule answers with
  std::string target;        // redirect: Location, with $1..$9 from the match's captures
  bool keep_query = true;    // redirect: append the request's query to the target
  std::string body;          // return
  std::string content_type;  // return, with a body
  std::string blocked_by;    // legal_block
  std::vector<std::pair<std::string, std::string>> add_headers;  // return, headers
  std::vector<std::string> remove_headers;                       // headers
};

// 103 before the final response on matching paths (RFC 8297).
enum class early_hints_clients : std::uint8_t { known, all, none };

struct early_hints_config {
  path_match match;
  std::vector<std::string> links;  // Link field values: "</app.css>; rel=preload; as=style"
  // HTTP/1.1 clients that get the 103: browsers and curl, every one, or none.
  early_hints_clients http1_clients = early_hints_clients::known;
};

struct error_pages_config {
  std::map<int, std::filesystem::path> files;  // status (400-599) -> page replacing the built-in
  bool problem_json = true;  // RFC 9457 problem details when the client prefers JSON
  std::string cache_control = "no-store";
};

struct cache_control_pattern {
  path_match match;
  std::string value;
};

struct static_config {
  std::vector<std::string> index_files{"index.html"};
  bool listing = false;  // directory listings for directories without an index file
  std::vector<cache_control_pattern> cache_control;  // first match wins
  std::map<std::string, std::string> mime_types;     // extension (no dot) -> media type
};

struct site_config {
  std::vector<std::string> hosts;  // "example.com", "*.example.com" (any subdomain), "[::1]"
  bool is_default = false;         // takes Hosts no site claims (unless strict_hosts)
  std::filesystem::path root;      // empty: no files, only rules
  std::optional<captive_portal_config> captive_portal;
  std::optional<maintenance_config> maintenance;
  std::vector<rate_limit_config> rate_limits;
  std::optional<auth_config> auth;
  std::vector<rule> rules;
  std::vector<early_hints_config> early_hints;
  // Extensions (RFC 2774) the server implements for this site; a mandatory one not listed: 510.
  std::vector<std::string> mandatory_extensions;
  error_pages_config error_pages;
  static_config static_files;
  // On-the-fly compression of the site's responses; absent: off.
  std::optional<teapot::compression_options> compression;
};

struct configuration {
  std::filesystem::path source;  // the file it came from, absolute
  server_config server;
  access_log_config access_log;
  error_log_config error_log;
  std::vector<site_config> sites;  // at least one
  // The site for Hosts no site claims: the one marked default, else the first; none with
  // strict_hosts.
  std::optional<std::size_t> default_site;
};

}  // namespace teapot::config
