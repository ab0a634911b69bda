// [server.metrics]: off by default, each key read, the allow list replacing the default, and
// each mistake reported at its position; what a reload cannot change is named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.h"
#include "config/reload.h"
#include "config_fixture.h"

namespace teapot::config {
namespace {

using metrics_config_test = testing::config_fixture;
using strings = std::vector<std::string>;

constexpr std::string_view site = "[[sites]]\ndefault = true\n";

TEST_F(metrics_config_test, off_by_default_with_a_path_and_the_machine_itself_allowed) {
  load_result r = load(site);
  ASSERT_TRUE(r.config);
  EXPECT_FALSE(r.config->metrics.enabled);
  EXPECT_FALSE(r.config->server.metrics);
  EXPECT_EQ(r.config->metrics.path, "/metrics");
  EXPECT_EQ(r.config->metrics.status_path, "/server-status");
  EXPECT_TRUE(r.config->metrics.listen.empty());
  EXPECT_EQ(r.config->metrics.allow, handlers::loopback_networks());
}

TEST_F(metrics_config_test, every_key_is_read_and_enabled_turns_counting_on) {
  load_result r = load(std::string(R"([server.metrics]
enabled = true
listen = "127.0.0.1:9145"
path = "/stats/prometheus"
status_path = ""
allow = ["10.0.0.0/8", "::1"]
)") + std::string(site));
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  const metrics_config& m = r.config->metrics;
  EXPECT_TRUE(m.enabled);
  EXPECT_TRUE(r.config->server.metrics);
  EXPECT_EQ(m.listen, "127.0.0.1:9145");
  EXPECT_EQ(m.path, "/stats/prometheus");
  EXPECT_TRUE(m.status_path.empty());
  EXPECT_EQ(m.allow, (std::vector<handlers::ip_network>{*handlers::parse_ip_network("10.0.0.0/8"),
                                                        *handlers::parse_ip_network("::1")}));
}

struct broken_case {
  const char* name;
  const char* text;
  const char* message;
};

class broken_metrics : public metrics_config_test,
                       public ::testing::WithParamInterface<broken_case> {};

TEST_P(broken_metrics, is_refused_with_one_positioned_message) {
  const broken_case& c = GetParam();
  load_result r = load(std::string(c.text) + std::string(site));
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_GT(r.errors[0].line, 0u);
  EXPECT_EQ(r.errors[0].message, c.message);
}

const broken_case broken_cases[] = {
    {"listen_without_port", "[server.metrics]\nlisten = \"127.0.0.1\"\n",
     "server.metrics.listen: expected \"HOST:PORT\" such as \"127.0.0.1:8080\""},
    {"listen_of_the_server",
     "[server]\nlisten = [\"127.0.0.1:9000\"]\n[server.metrics]\n"
     "enabled = true\nlisten = \"127.0.0.1:9000\"\n",
     "server.metrics.listen: is one of server.listen; the metrics need a listener of their own "
     "(or no listen, for a path on the default site)"},
    {"path_without_slash", "[server.metrics]\npath = \"metrics\"\n",
     "server.metrics.path: 'metrics' is not a path; expected one starting with '/'"},
    {"allow_with_host_bits", "[server.metrics]\nallow = [\"10.1.2.3/8\"]\n",
     "server.metrics.allow[0]: '10.1.2.3/8' has bits set past its prefix; did you mean "
     "'10.0.0.0/8'?"},
    {"status_path_as_the_metrics", "[server.metrics]\nstatus_path = \"/metrics\"\n",
     "server.metrics.status_path: is both the metrics' path and the status page's; give each its "
     "own"},
    {"unknown_key", "[server.metrics]\nenable = true\n",
     "server.metrics.enable: unknown key; did you mean 'enabled'?"},
};

INSTANTIATE_TEST_SUITE_P(all, broken_metrics, ::testing::ValuesIn(broken_cases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(metrics_config_test, strict_hosts_leave_no_default_site_for_the_path) {
  load_result r = load(R"([server]
strict_hosts = true
[server.metrics]
enabled = true
[[sites]]
hosts = ["a.test"]
)");
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "server.metrics.enabled: without listen, the metrics are a path of the default site, "
            "and server.strict_hosts = true leaves none; give them a listen address");
}

TEST(metrics_reload, enabled_and_listen_need_a_restart_and_a_sites_path_does_not) {
  configuration running, loaded;
  running.metrics.enabled = true;
  loaded.metrics.enabled = true;
  loaded.metrics.path = "/other";
  EXPECT_EQ(changes_needing_restart(running, loaded), strings{});
  loaded.metrics.enabled = false;
  loaded.metrics.listen = "127.0.0.1:9145";
  EXPECT_EQ(changes_needing_restart(running, loaded),
            (strings{"server.metrics.enabled", "server.metrics.listen"}));
  running.metrics.listen = loaded.metrics.listen;
  loaded.metrics.enabled = true;
  EXPECT_EQ(changes_needing_restart(running, loaded), strings{"server.metrics"});
}

}  // namespace
}  // namespace teapot::config
