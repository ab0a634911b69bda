// An embedding program names only the options it changes, with designated initializers
// (`teapot::server srv({.listen = {"127.0.0.1:8080"}})`). GCC's -Wextra warns for every member
// left out that has no default member initializer, so every member of a public option struct
// has one. This file is the check: it is built with -Wall -Wextra -Werror, and each struct is
// built twice, naming only its first member and only its last, so that a member added without
// a default fails the build. The assertions check that the members left out keep the defaults
// the headers document.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "teapot/body_reader.h"
#include "teapot/handlers/basic_auth.h"
#include "teapot/handlers/captive_portal.h"
#include "teapot/handlers/early_hints.h"
#include "teapot/handlers/maintenance.h"
#include "teapot/handlers/mandatory_extensions.h"
#include "teapot/handlers/rate_limit.h"
#include "teapot/handlers/rules.h"
#include "teapot/handlers/static_files.h"
#include "teapot/handlers/webdav.h"
#include "teapot/server.h"

namespace teapot {
namespace {

using std::chrono::milliseconds;

TEST(public_options, server_options_named_in_part_keep_their_defaults) {
  const server_options first{.listen = {"127.0.0.1:0"}};
  const server_options last{.error_log = nullptr};
  EXPECT_EQ(first.blocking_threads, 2U);
  EXPECT_EQ(first.limits.body, 1024U * 1024U);
  EXPECT_EQ(first.access_log.file, nullptr);
  EXPECT_EQ(last.listen, std::vector<std::string>{"127.0.0.1:8080"});
  EXPECT_EQ(last.server_header, "teapot");
}

TEST(public_options, limits_named_in_part_keep_their_defaults) {
  const limits first{.request_line = 1};
  const limits last{.send_buffer = 0};
  const body_limit_rule rule_first{.prefix = "/up/"};
  const body_limit_rule rule_last{.max = 5};
  EXPECT_EQ(first.send_buffer, 128U * 1024U);
  EXPECT_TRUE(first.body_by_prefix.empty());
  EXPECT_EQ(last.request_line, 8U * 1024U);
  EXPECT_EQ(last.header_timeout, milliseconds{10'000});
  EXPECT_EQ(rule_first.max, 0U);
  EXPECT_EQ(rule_last.prefix, "");
}

TEST(public_options, site_and_log_options_named_in_part_keep_their_defaults) {
  const access_log_options log_first{.file = nullptr};
  const access_log_options log_last{.format = access_log_format::json};
  const error_page_options pages_first{.files = {}};
  const error_page_options pages_last{.cache_control = ""};
  const compression_options coding_first{.enabled = true};
  const compression_options coding_last{.zstd_level = 1};
  const route_options route{.stream_body = true};
  const body_reader::callbacks callbacks{.on_error = nullptr};
  EXPECT_EQ(log_first.format, access_log_format::combined);
  EXPECT_EQ(log_last.file, nullptr);
  EXPECT_EQ(pages_first.cache_control, "no-store");
  EXPECT_TRUE(pages_last.problem_json);
  EXPECT_EQ(coding_first.zstd_level, 3);
  EXPECT_FALSE(coding_last.enabled);
  EXPECT_TRUE(route.stream_body);
  EXPECT_FALSE(callbacks.on_data);
}

}  // namespace
}  // namespace teapot

namespace teapot::handlers {
namespace {

using std::chrono::milliseconds;

TEST(public_options, handler_options_named_in_part_keep_their_defaults) {
  const static_files_options files_first{.root = "/srv"};
  const static_files_options files_last{.log = [](std::string_view) {}};
  const webdav_options dav_first{.prefix = "/dav/"};
  const webdav_options dav_last{.max_xml_body = 1};
  const basic_auth_options auth_first{.htpasswd = "/etc/htpasswd"};
  const basic_auth_options auth_last{.log = nullptr};
  const access_rule rule_first{.prefix = "/admin/"};
  const access_rule rule_last{.deny = {}};
  EXPECT_EQ(files_first.index_files, std::vector<std::string>{"index.html"});
  EXPECT_EQ(files_last.root, "");
  EXPECT_EQ(dav_first.max_xml_body, std::size_t{1} << 20U);
  EXPECT_EQ(dav_last.prefix, "/");
  EXPECT_EQ(auth_first.realm, "teapot");
  EXPECT_EQ(auth_last.cache_entries, 128U);
  EXPECT_TRUE(rule_first.users.empty());
  EXPECT_EQ(rule_last.prefix, "");
}

TEST(public_options, policy_options_named_in_part_keep_their_defaults) {
  const maintenance_options maintenance_first{.enabled = true};
  const maintenance_options maintenance_last{.retry_after = {}};
  const rate_limit_rule limit_first{.prefix = "/api/"};
  const rate_limit_rule limit_last{.name = "api"};
  const rate_limit_options limits_first{.limits = {}};
  const rate_limit_options limits_last{.now = nullptr};
  const rule rule_first{.match = {}};
  const rule rule_last{.remove_headers = {"X-Powered-By"}};
  const early_hint hint_first{.match = {}};
  const early_hint hint_last{.http1_clients = early_hints_clients::all};
  const captive_portal_options portal{.login_url = "/login"};
  const mandatory_extensions_options extensions{.implemented = {}};
  const rules_options rules{.rules = {}};
  const early_hints_options hints{.hints = {}};
  EXPECT_EQ(maintenance_first.trigger_check_interval, milliseconds{1000});
  EXPECT_FALSE(maintenance_last.enabled);
  EXPECT_EQ(limit_first.per, milliseconds{1000});
  EXPECT_EQ(limit_last.prefix, "/");
  EXPECT_EQ(limits_first.store, nullptr);
  EXPECT_TRUE(limits_last.limits.empty());
  EXPECT_TRUE(rule_first.keep_query);
  EXPECT_EQ(rule_last.kind, rule_kind::return_);
  EXPECT_EQ(hint_first.http1_clients, early_hints_clients::known);
  EXPECT_TRUE(hint_last.links.empty());
  EXPECT_EQ(portal.login_url, "/login");
  EXPECT_TRUE(extensions.implemented.empty() && rules.rules.empty() && hints.hints.empty());
}

}  // namespace
}  // namespace teapot::handlers
