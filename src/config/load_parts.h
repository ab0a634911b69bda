// Internal to the loader: one reader per part of the schema. Each fills its part of the
// configuration from a table and reports what is wrong through the table_reader; the caller
// throws the configuration away if anything was reported.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "config/model.h"
#include "config/reader.h"

namespace teapot::config::detail {

void read_server(table_reader& r, server_options& out);
void read_access_log(table_reader& r, access_log_config& out);
void read_error_log(table_reader& r, error_log_config& out);

void read_site(table_reader& r, site_config& out);
void read_auth(table_reader& r, handlers::basic_auth_options& out);
// A list of networks in CIDR notation ("10.0.0.0/8", "::1"), appended to out.
void read_networks(table_reader& r, std::string_view key, std::vector<handlers::ip_network>& out);
// [server.metrics].
void read_metrics(table_reader& r, metrics_config& out);

void read_rule(table_reader& r, handlers::rule& out);
void read_early_hints(table_reader& r, handlers::early_hint& out);
// [sites.static] into everything but the root, which is a key of the site.
void read_static(table_reader& r, handlers::static_files_options& out);
// Every [[sites.webdav]] table of a site, each prefix once.
void read_webdav_areas(table_reader& site, std::vector<handlers::webdav_options>& out);
// Every [[sites.proxy]] table of a site, each prefix once.
void read_proxies(table_reader& site, std::vector<proxy_config>& out);
// [sites.forward_proxy].
// [sites.delta_encoding] (RFC 3229).
void read_delta_encoding(table_reader& r, delta_encoding_options& out);

void read_forward_proxy(table_reader& r, forward_proxy_config& out);
// The user names of an htpasswd file; each bad line is reported at its own file and line.
std::set<std::string> read_htpasswd(diagnostics& diag, const std::filesystem::path& path);
// A realm for a Basic challenge: non-empty text without '"', '\' or control characters.
std::optional<std::string> read_realm(table_reader& r);
// Every [[sites.websocket]] table of a site, each path once.
void read_websockets(table_reader& site, std::vector<websocket_config>& out);
// The methods of WebDAV missing from the server's, appended when any site has an area.
void add_webdav_methods(configuration& c);

// One of the keys exact/prefix/glob (exactly one), as a path_match. With `required` false and
// none present, returns `fallback`.
std::optional<handlers::path_match> read_match(table_reader& r, bool required,
                                               handlers::path_match fallback = {});

// Shared value checks: each returns an empty string when the value is fine, else what is wrong.
std::string check_path_prefix(std::string_view path);
std::string check_field_name(std::string_view name);
std::string check_field_value(std::string_view value);
std::string check_method(std::string_view method);
std::string check_url(std::string_view url, bool allow_path);

// A value as the file wrote it, for a message: 'text' for a string, the number itself.
std::string as_written(const toml::node& value);

// A path the configuration names, resolved; reports a missing file or directory.
std::optional<std::filesystem::path> read_existing_path(table_reader& r, std::string_view key,
                                                        bool directory);

}  // namespace teapot::config::detail
