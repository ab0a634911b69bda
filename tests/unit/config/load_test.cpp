#include "config/load.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config_fixture.h"

namespace teapot::config {
namespace {

using namespace std::chrono_literals;
using testing::config_fixture;

const std::filesystem::path sample = std::filesystem::path(TEAPOT_SOURCE_DIR) / "examples";

// The media type configured for an extension; empty when none is.
std::string mime_type_of(const handlers::static_files_options& o, std::string_view extension) {
  for (const auto& [ext, type] : o.mime_overrides)
    if (ext == extension) return type;
  return {};
}

TEST(sample_config, loads_without_errors) {
  load_result r = load_config(sample / "teapot.toml");
  for (const config_error& e : r.errors)
    ADD_FAILURE() << format_error(e);
  ASSERT_TRUE(r.config.has_value());
}

TEST(sample_config, server_block_has_the_written_values) {
  const configuration c = *load_config(sample / "teapot.toml").config;
  const server_options& o = c.server;
  EXPECT_EQ(o.listen, (std::vector<std::string>{"127.0.0.1:8080", "[::1]:8080"}));
  EXPECT_EQ(o.workers, 2u);
  EXPECT_EQ(o.blocking_threads, 4u);
  EXPECT_EQ(o.drain_timeout, 10s);
  EXPECT_EQ(o.limits.request_line, 8192u);
  EXPECT_EQ(o.limits.header_section, 65536u);
  EXPECT_EQ(o.limits.fields, 100u);
  EXPECT_EQ(o.limits.chunk_line, 4096u);
  EXPECT_EQ(o.limits.chunk_extensions, 16384u);
  EXPECT_EQ(o.limits.body_min_rate, 1024u);
  EXPECT_EQ(o.limits.body, 1048576u);
  EXPECT_EQ(o.limits.keep_alive_timeout, 5s);
  ASSERT_EQ(c.server.limits.body_by_prefix.size(), 2u);
  EXPECT_EQ(c.server.limits.body_by_prefix[0].prefix, "/upload/");
  EXPECT_EQ(c.server.limits.body_by_prefix[0].max, 100u * 1024 * 1024);
  EXPECT_EQ(c.server.limits.body_by_prefix[1].max, 256u * 1024);
  EXPECT_FALSE(c.server.strict_hosts);
  EXPECT_EQ(c.server.limits.max_connections, 10000u);
  EXPECT_EQ(c.server.limits.max_connections_per_address, 256u);
  EXPECT_EQ(c.server.limits.send_buffer, 128u * 1024);
  EXPECT_EQ(c.access_log.format, access_log_format::combined);
  EXPECT_TRUE(c.access_log.path.empty());
  EXPECT_EQ(c.error_log.level, log_level::info);
  EXPECT_EQ(c.source, (std::filesystem::absolute(sample) / "teapot.toml").lexically_normal());
}

TEST(sample_config, sites_hold_hosts_policies_and_resolved_paths) {
  const configuration c = *load_config(sample / "teapot.toml").config;
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_EQ(c.default_site, 0u);
  const site_config& s = c.sites[0];
  EXPECT_EQ(s.hosts, (std::vector<std::string>{"example.com", "www.example.com", "*.example.net"}));
  EXPECT_EQ(s.static_files.root, (std::filesystem::absolute(sample) / "site").lexically_normal());
  ASSERT_TRUE(s.maintenance.has_value());
  EXPECT_FALSE(s.maintenance->enabled);
  EXPECT_EQ(s.maintenance->prefixes, std::vector<std::string>{"/api/"});
  EXPECT_EQ(std::get<std::chrono::seconds>(s.maintenance->retry_after), 120s);
  ASSERT_EQ(s.rate_limits.size(), 2u);
  EXPECT_EQ(s.rate_limits[0].key, handlers::rate_limit_key::client_address);
  EXPECT_EQ(s.rate_limits[0].requests, 10u);
  EXPECT_EQ(s.rate_limits[0].per, 1s);
  EXPECT_EQ(s.rate_limits[0].burst, 20u);
  EXPECT_EQ(s.rate_limits[1].key, handlers::rate_limit_key::header);
  EXPECT_EQ(s.rate_limits[1].header, "X-API-Key");
  EXPECT_EQ(s.rate_limits[1].per, 60s);
  EXPECT_EQ(s.rate_limits[1].burst, 600u);
  ASSERT_TRUE(s.auth.has_value());
  EXPECT_EQ(s.auth->realm, "Example staff");
  EXPECT_EQ(s.auth->groups.at("admins"), std::vector<std::string>{"alice"});
  ASSERT_EQ(s.auth->paths.size(), 2u);
  EXPECT_EQ(s.auth->paths[0].allow.size(), 3u);
  EXPECT_EQ(s.auth->paths[1].users, std::vector<std::string>{"*"});
  EXPECT_EQ(s.error_pages.files.count(404), 1u);
  EXPECT_EQ(s.error_pages.cache_control, "no-store");
  EXPECT_EQ(mime_type_of(s.static_files, "webmanifest"), "application/manifest+json");
  ASSERT_EQ(s.early_hints.size(), 1u);
  EXPECT_EQ(s.early_hints[0].match.kind, handlers::match_kind::exact);
  EXPECT_TRUE(s.mandatory_extensions.empty());
  ASSERT_TRUE(c.sites[1].captive_portal.has_value());
  EXPECT_EQ(c.sites[1].captive_portal->login_url, "/login");
  ASSERT_EQ(s.webdav.size(), 1u);
  EXPECT_EQ(s.webdav[0].prefix, "/dav/");
  EXPECT_EQ(s.webdav[0].root, s.static_files.root);
  EXPECT_EQ(s.webdav[0].database,
            (std::filesystem::absolute(sample) / "config" / "dav.sqlite3").lexically_normal());
  EXPECT_TRUE(c.sites[1].webdav.empty());
}

TEST(sample_config, the_webdav_area_completes_the_written_methods) {
  const configuration c = *load_config(sample / "teapot.toml").config;
  const std::vector<std::string> expected = {
      "GET",  "HEAD", "POST", "PUT",   "DELETE", "OPTIONS",  "PATCH",     "TRACE", "CONNECT",
      "BREW", "WHEN", "MOVE", "MKCOL", "COPY",   "PROPFIND", "PROPPATCH", "LOCK",  "UNLOCK"};
  EXPECT_EQ(c.server.methods, expected);
}

TEST(sample_config, rules_keep_their_order_kinds_and_statuses) {
  const configuration c = *load_config(sample / "teapot.toml").config;
  const std::vector<handlers::rule>& rules = c.sites[0].rules;
  ASSERT_EQ(rules.size(), 11u);
  const std::pair<handlers::rule_kind, int> expected[] = {
      {handlers::rule_kind::redirect, 301}, {handlers::rule_kind::redirect, 308},
      {handlers::rule_kind::redirect, 303}, {handlers::rule_kind::redirect, 307},
      {handlers::rule_kind::return_, 402},  {handlers::rule_kind::return_, 401},
      {handlers::rule_kind::gone, 410},     {handlers::rule_kind::legal_block, 451},
      {handlers::rule_kind::teapot, 418},   {handlers::rule_kind::require_conditional, 428},
  };
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(rules[i].kind, expected[i].first) << i;
    EXPECT_EQ(http::to_int(rules[i].status), expected[i].second) << i;
  }
  EXPECT_EQ(rules[0].target, "/new/$1");
  EXPECT_EQ(rules[1].match.kind, handlers::match_kind::glob);
  EXPECT_FALSE(rules[2].keep_query);
  EXPECT_EQ(rules[4].body, "This content needs a subscription.\n");
  EXPECT_EQ(rules[4].content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(rules[7].blocked_by, "https://authority.example.org/");
  EXPECT_EQ(rules[10].kind, handlers::rule_kind::headers);
  EXPECT_EQ(rules[10].remove_headers, std::vector<std::string>{"X-Powered-By"});
}

using load_test = config_fixture;

TEST_F(load_test, the_smallest_file_is_one_default_site_with_engine_defaults) {
  load_result r = load("[[sites]]\ndefault = true\n");
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : format_error(r.errors[0]));
  EXPECT_EQ(r.config->server.listen, std::vector<std::string>{"127.0.0.1:8080"});
  EXPECT_EQ(r.config->server.limits.body, teapot::limits{}.body);
  EXPECT_EQ(r.config->default_site, 0u);
  EXPECT_EQ(r.config->sites[0].error_pages.cache_control, "no-store");
  EXPECT_TRUE(r.config->sites[0].error_pages.problem_json);
}

TEST_F(load_test, blocking_threads_defaults_to_the_engines_and_takes_one_to_256) {
  load_result r = load("[[sites]]\ndefault = true\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->server.blocking_threads, teapot::server_options{}.blocking_threads);
  for (unsigned n : {1u, 256u}) {
    r = load("[server]\nblocking_threads = " + std::to_string(n) + "\n[[sites]]\ndefault = true\n");
    ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
    EXPECT_EQ(r.config->server.blocking_threads, n);
  }
}

TEST_F(load_test, an_empty_error_page_cache_control_means_none) {
  load_result r = load(R"([[sites]]
default = true
[sites.error_pages]
cache_control = ""
problem_json = false
files = { "404" = "pages/404.html" }
)");
  ASSERT_TRUE(r.config.has_value());
  const error_page_options& pages = r.config->sites[0].error_pages;
  EXPECT_EQ(pages.cache_control, "");
  EXPECT_FALSE(pages.problem_json);
  EXPECT_EQ(pages.files.at(404), dir_ / "pages/404.html");
}

TEST_F(load_test, sizes_durations_and_dates_accept_every_documented_form) {
  load_result r = load(R"([server.limits]
body = 0
request_line = 16384
header_timeout = 3
body_timeout = "500ms"
[[sites]]
default = true
[sites.maintenance]
retry_after = "Sun, 06 Nov 1994 08:49:37 GMT"
[[sites.rate_limits]]
rate = "5/2s"
)");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  const limits& l = r.config->server.limits;
  EXPECT_EQ(l.body, 0u);
  EXPECT_EQ(l.request_line, 16384u);
  EXPECT_EQ(l.header_timeout, 3s);
  EXPECT_EQ(l.body_timeout, 500ms);
  auto date =
      std::get<std::chrono::system_clock::time_point>(r.config->sites[0].maintenance->retry_after);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(date), 784111777);
  EXPECT_EQ(r.config->sites[0].rate_limits[0].requests, 5u);
  EXPECT_EQ(r.config->sites[0].rate_limits[0].per, 2s);
}

TEST_F(load_test, the_send_buffer_is_auto_or_a_size_from_4kib_to_512mib) {
  const auto send_buffer = [this](std::string_view value) -> std::optional<std::size_t> {
    load_result r =
        load("[server]\nsend_buffer = " + std::string(value) + "\n[[sites]]\ndefault = true\n");
    if (!r.config) return std::nullopt;
    return r.config->server.limits.send_buffer;
  };
  EXPECT_EQ(send_buffer("\"auto\""), 0u);
  EXPECT_EQ(send_buffer("0"), 0u);
  EXPECT_EQ(send_buffer("\"256KiB\""), 256u * 1024);
  EXPECT_EQ(send_buffer("\"4KiB\""), 4096u);
  EXPECT_EQ(send_buffer("4095"), std::nullopt);
  EXPECT_EQ(send_buffer("\"512MiB\""), 512u * 1024 * 1024);
  EXPECT_EQ(send_buffer("536870913"), std::nullopt);
  EXPECT_EQ(send_buffer("\"automatic\""), std::nullopt);
}

TEST_F(load_test, ticket_rotation_defaults_to_12h_and_takes_1m_to_7d) {
  const auto rotation = [this](std::string_view value) -> std::optional<std::chrono::seconds> {
    load_result r = load("[server.tls]\nticket_rotation = " + std::string(value) +
                         "\n[[sites]]\ndefault = true\n");
    if (!r.config) return std::nullopt;
    return r.config->server.tls_ticket_rotation;
  };
  load_result r = load("[[sites]]\ndefault = true\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->server.tls_ticket_rotation, 12h);
  EXPECT_EQ(rotation("\"1m\""), 60s);
  EXPECT_EQ(rotation("60"), 60s);
  EXPECT_EQ(rotation("\"12h\""), 12h);
  EXPECT_EQ(rotation("\"7d\""), 168h);
  EXPECT_EQ(rotation("\"59s\""), std::nullopt);
  EXPECT_EQ(rotation("\"169h\""), std::nullopt);
}

TEST_F(load_test, the_send_buffer_defaults_to_128kib) {
  load_result r = load("[[sites]]\ndefault = true\n");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->server.limits.send_buffer, 128u * 1024);
}

TEST_F(load_test, host_names_are_lower_cased_and_strict_hosts_leaves_no_default) {
  load_result r = load(R"([server]
strict_hosts = true
[[sites]]
hosts = ["Example.COM", "[::1]", "*.Example.org"]
)");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  EXPECT_EQ(r.config->sites[0].hosts,
            (std::vector<std::string>{"example.com", "[::1]", "*.example.org"}));
  EXPECT_FALSE(r.config->default_site.has_value());
}

TEST_F(load_test, require_conditional_defaults_to_the_writing_methods) {
  load_result r = load(
      "[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = \"/\"\n"
      "kind = \"require_conditional\"\n");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  EXPECT_EQ(r.config->sites[0].rules[0].methods,
            (std::vector<std::string>{"PUT", "DELETE", "PATCH", "MOVE"}));
}

TEST_F(load_test, every_error_is_reported_in_file_order_and_no_model_is_returned) {
  load_result r = load(R"([server]
workers = -1
[[sites]]
hosts = ["a.example"]
root = "absent"
[[sites.rules]]
exact = "/"
kind = "return"
status = 305
)");
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[1].line, 5u);
  EXPECT_EQ(r.errors[2].line, 9u);
}

TEST_F(load_test, a_file_that_cannot_be_read_is_one_error_without_position) {
  load_result r = load_config(dir_ / "none.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 0u);
  EXPECT_EQ(format_error(r.errors[0]),
            (dir_ / "none.toml").string() + ": cannot be read: No such file or directory");
  EXPECT_FALSE(r.config.has_value());
}

}  // namespace
}  // namespace teapot::config
