// The [[sites.webdav]] tables: none by default, every key read, the WebDAV methods added to the
// server's, and each mistake reported at its position. "{dir}" in a message stands for the
// test's scratch directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "config/load.h"
#include "config/reload.h"
#include "config_fixture.h"
#include "teapot/handlers/webdav.h"

namespace teapot::config {
namespace {

using namespace std::chrono_literals;
using webdav_config_test = testing::config_fixture;
using strings = std::vector<std::string>;

constexpr std::string_view site = "[[sites]]\ndefault = true\n";

TEST_F(webdav_config_test, a_site_without_the_table_has_no_area_and_the_engines_methods) {
  load_result r = load(site);
  ASSERT_TRUE(r.config);
  EXPECT_TRUE(r.config->sites[0].webdav.empty());
  EXPECT_EQ(r.config->server.methods, server_options{}.methods);
}

TEST_F(webdav_config_test, prefix_and_root_alone_take_the_defaults) {
  load_result r =
      load(std::string(site) + "[[sites.webdav]]\nprefix = \"/dav/\"\nroot = \"site\"\n");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  ASSERT_EQ(r.config->sites[0].webdav.size(), 1u);
  const handlers::webdav_options& a = r.config->sites[0].webdav[0];
  const handlers::webdav_options defaults;
  EXPECT_EQ(a.prefix, "/dav/");
  EXPECT_EQ(a.root, dir_ / "site");
  EXPECT_EQ(a.read_only, defaults.read_only);
  EXPECT_EQ(a.quota, defaults.quota);
  EXPECT_EQ(a.depth_infinity, defaults.depth_infinity);
  EXPECT_EQ(a.max_lock_timeout, defaults.max_lock_timeout);
  EXPECT_EQ(a.processing_interval, defaults.processing_interval);
  EXPECT_EQ(a.require_if_match, defaults.require_if_match);
  EXPECT_TRUE(a.database.empty());
  EXPECT_EQ(a.max_xml_body, defaults.max_xml_body);
}

TEST_F(webdav_config_test, every_key_is_read_and_paths_are_resolved) {
  load_result r = load(std::string(site) + R"([[sites.webdav]]
prefix = "/"
root = "site"
read_only = true
quota = "1GiB"
depth_infinity = false
max_lock_timeout = "10m"
processing_interval = "500ms"
require_if_match = true
database = "state/../dav.sqlite3"
max_xml_body = "64KiB"
)");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  const handlers::webdav_options& a = r.config->sites[0].webdav.at(0);
  EXPECT_EQ(a.prefix, "/");
  EXPECT_EQ(a.root, dir_ / "site");
  EXPECT_TRUE(a.read_only);
  EXPECT_EQ(a.quota, std::uint64_t{1} << 30);
  EXPECT_FALSE(a.depth_infinity);
  EXPECT_EQ(a.max_lock_timeout, 600s);
  EXPECT_EQ(a.processing_interval, 500ms);
  EXPECT_TRUE(a.require_if_match);
  EXPECT_EQ(a.database, dir_ / "dav.sqlite3");
  EXPECT_EQ(a.max_xml_body, 64u * 1024);
}

TEST_F(webdav_config_test, a_site_holds_several_areas_and_sites_may_share_a_prefix) {
  write("other/.keep", "");
  load_result r = load(std::string(site) +
                       "[[sites.webdav]]\nprefix = \"/a/\"\nroot = \"site\"\n"
                       "[[sites.webdav]]\nprefix = \"/b/\"\nroot = \"other\"\n"
                       "[[sites]]\nhosts = [\"b.example\"]\n"
                       "[[sites.webdav]]\nprefix = \"/a/\"\nroot = \"other\"\n");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  ASSERT_EQ(r.config->sites[0].webdav.size(), 2u);
  EXPECT_EQ(r.config->sites[0].webdav[1].root, dir_ / "other");
  ASSERT_EQ(r.config->sites[1].webdav.size(), 1u);
}

// The engine's own list, then the WebDAV methods it lacks, in webdav_methods()'s order; a list
// written in the file is completed the same way.
TEST_F(webdav_config_test, an_area_adds_the_missing_webdav_methods_to_the_servers) {
  const std::string area = "[[sites.webdav]]\nprefix = \"/dav/\"\nroot = \"site\"\n";
  struct method_case {
    const char* why;
    std::string server;
    strings expected;
  };
  const method_case cases[] = {
      {"the engine's list",
       "",
       {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "MKCOL",
        "COPY", "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK"}},
      {"a list of the file",
       "[server]\nmethods = [\"GET\", \"BREW\", \"MOVE\"]\n",
       {"GET", "BREW", "MOVE", "HEAD", "PUT", "DELETE", "MKCOL", "COPY", "PROPFIND", "PROPPATCH",
        "LOCK", "UNLOCK", "OPTIONS"}},
  };
  for (const method_case& c : cases) {
    SCOPED_TRACE(c.why);
    load_result r = load(c.server + std::string(site) + area);
    ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
    EXPECT_EQ(r.config->server.methods, c.expected);
    for (const std::string& m : handlers::webdav_methods())
      EXPECT_EQ(std::count(c.expected.begin(), c.expected.end(), m), 1) << m;
  }
}

// The engine's methods are fixed when it starts: the first area, which brings new ones, waits
// for a restart to be reached by them; areas changed or added later are taken by a reload.
TEST_F(webdav_config_test, a_reload_takes_areas_but_new_methods_wait_for_a_restart) {
  const std::string area = "[[sites.webdav]]\nprefix = \"/dav/\"\nroot = \"site\"\n";
  const configuration without = *load(site).config;
  const configuration with = *load(std::string(site) + area).config;
  const configuration changed = *load(std::string(site) + area + "read_only = true\n" +
                                      "[[sites.webdav]]\nprefix = \"/more/\"\nroot = \"site\"\n")
                                     .config;
  EXPECT_EQ(changes_needing_restart(without, with), strings{"server.methods"});
  EXPECT_EQ(changes_needing_restart(with, without), strings{"server.methods"});
  EXPECT_EQ(changes_needing_restart(with, changed), strings{});
}

struct broken_case {
  const char* name;
  const char* table;  // after "[[sites]]\ndefault = true\n[[sites.webdav]]\n"
  std::uint32_t line;
  std::uint32_t column;
  const char* message;
};

const broken_case broken_cases[] = {
    {"missing prefix", "root = \"site\"\n", 3, 1,
     "sites[0].webdav[0]: 'prefix' is required (the URL path the area answers below, such as "
     "\"/dav/\")"},
    {"prefix without a trailing slash", "prefix = \"/dav\"\nroot = \"site\"\n", 4, 10,
     "sites[0].webdav[0].prefix: '/dav' does not end with '/'; write \"/dav/\" (\"/\" for the "
     "whole site)"},
    {"prefix that is no path", "prefix = \"dav/\"\nroot = \"site\"\n", 4, 10,
     "sites[0].webdav[0].prefix: 'dav/' is not a path; expected one starting with '/'"},
    {"missing root", "prefix = \"/dav/\"\n", 3, 1,
     "sites[0].webdav[0]: 'root' is required (the directory the area maps to)"},
    {"root that does not exist", "prefix = \"/dav/\"\nroot = \"nowhere\"\n", 5, 8,
     "sites[0].webdav[0].root: '{dir}/nowhere' does not exist"},
    {"root that is a file", "prefix = \"/dav/\"\nroot = \"users\"\n", 5, 8,
     "sites[0].webdav[0].root: '{dir}/users' is not a directory"},
    {"quota that is no size", "prefix = \"/dav/\"\nroot = \"site\"\nquota = \"1 GB\"\n", 6, 9,
     "sites[0].webdav[0].quota: '1 GB' is not a size; write bytes or 8KiB, 1MiB, 2GiB"},
    {"quota of zero", "prefix = \"/dav/\"\nroot = \"site\"\nquota = 0\n", 6, 9,
     "sites[0].webdav[0].quota: must be greater than zero; read_only = true refuses every write"},
    {"unknown key", "prefix = \"/dav/\"\nroot = \"site\"\nreadonly = true\n", 6, 1,
     "sites[0].webdav[0].readonly: unknown key; did you mean 'read_only'?"},
    {"boolean that is a string", "prefix = \"/dav/\"\nroot = \"site\"\nread_only = \"yes\"\n", 6,
     13, "sites[0].webdav[0].read_only: expected true or false, found a string"},
    {"lock timeout under a second",
     "prefix = \"/dav/\"\nroot = \"site\"\nmax_lock_timeout = \"500ms\"\n", 6, 20,
     "sites[0].webdav[0].max_lock_timeout: must be at least one second"},
    {"processing interval of zero",
     "prefix = \"/dav/\"\nroot = \"site\"\nprocessing_interval = 0\n", 6, 23,
     "sites[0].webdav[0].processing_interval: must be greater than zero"},
    {"database in a missing directory",
     "prefix = \"/dav/\"\nroot = \"site\"\ndatabase = \"state/dav.sqlite3\"\n", 6, 12,
     "sites[0].webdav[0].database: its directory '{dir}/state' does not exist, so the database "
     "could never be created"},
    {"database that is a directory", "prefix = \"/dav/\"\nroot = \"site\"\ndatabase = \"site\"\n",
     6, 12,
     "sites[0].webdav[0].database: '{dir}/site' is a directory; name the database file inside it"},
    {"XML body limit of zero", "prefix = \"/dav/\"\nroot = \"site\"\nmax_xml_body = 0\n", 6, 16,
     "sites[0].webdav[0].max_xml_body: must be greater than zero"},
    {"duplicate prefix",
     "prefix = \"/dav/\"\nroot = \"site\"\n[[sites.webdav]]\nprefix = \"/dav/\"\nroot = \"site\"\n",
     7, 10,
     "sites[0].webdav[1].prefix: '/dav/' is the prefix of sites[0].webdav[0] already; each area "
     "has a prefix of its own"},
};

class broken_webdav : public testing::config_fixture,
                      public ::testing::WithParamInterface<broken_case> {};

TEST_P(broken_webdav, is_refused_with_one_positioned_message) {
  const broken_case& c = GetParam();
  load_result r = load(std::string(site) + "[[sites.webdav]]\n" + c.table);
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << format_error(r.errors.at(0));
  std::string message = c.message;
  if (auto at = message.find("{dir}"); at != std::string::npos)
    message.replace(at, 5, dir_.string());
  EXPECT_EQ(r.errors[0].message, message);
  EXPECT_EQ(r.errors[0].line, c.line);
  EXPECT_EQ(r.errors[0].column, c.column);
}

TEST_F(webdav_config_test, a_table_where_a_list_of_tables_belongs_is_refused) {
  load_result r = load(std::string(site) + "[sites.webdav]\nprefix = \"/dav/\"\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "sites[0].webdav: expected an array of tables ([[sites[0].webdav]]), found a table");
}

std::string case_name(const ::testing::TestParamInfo<broken_case>& info) {
  std::string name;
  for (const char* p = info.param.name; *p; ++p)
    name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(config, broken_webdav, ::testing::ValuesIn(broken_cases), case_name);

}  // namespace
}  // namespace teapot::config
