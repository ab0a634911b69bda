// The [sites.forward_proxy] table: absent by default, its defaults, every key read (the ports
// list at its bounds), and each mistake reported at its position. "{dir}" in a message stands
// for the test's scratch directory.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "config/load.h"
#include "config_fixture.h"

namespace teapot::config {
namespace {

using namespace std::chrono_literals;
using forward_proxy_config_test = testing::config_fixture;
using ports = std::vector<std::uint16_t>;

constexpr std::string_view site = "[[sites]]\ndefault = true\n";

TEST_F(forward_proxy_config_test, a_site_without_the_table_is_no_forward_proxy) {
  load_result r = load(site);
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  EXPECT_FALSE(r.config->sites[0].forward_proxy.has_value());
}

TEST_F(forward_proxy_config_test, an_empty_table_takes_the_defaults_and_asks_no_credentials) {
  load_result r = load(std::string(site) + "[sites.forward_proxy]\n");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  const forward_proxy_config& p = r.config->sites[0].forward_proxy.value();
  EXPECT_EQ(p.options.connect_ports, ports{443});
  EXPECT_EQ(p.options.http_ports, ports{80});
  EXPECT_FALSE(p.options.allow_local_destinations);
  EXPECT_EQ(p.options.connect_timeout, 5s);
  EXPECT_EQ(p.options.response_timeout, 60s);
  EXPECT_EQ(p.options.tunnel_idle_timeout, 5min);
  EXPECT_FALSE(p.auth.has_value());
}

TEST_F(forward_proxy_config_test, every_key_is_read_and_the_users_file_resolved) {
  load_result r = load(std::string(site) + R"([sites.forward_proxy]
connect_ports = [1, 443, 65535]
http_ports = [80, 8080]
allow_local_destinations = true
connect_timeout = "2s"
response_timeout = "30s"
tunnel_idle_timeout = "90s"
users = "users"
realm = "office proxy"
)");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  const forward_proxy_config& p = r.config->sites[0].forward_proxy.value();
  EXPECT_EQ(p.options.connect_ports, (ports{1, 443, 65535}));
  EXPECT_EQ(p.options.http_ports, (ports{80, 8080}));
  EXPECT_TRUE(p.options.allow_local_destinations);
  EXPECT_EQ(p.options.connect_timeout, 2s);
  EXPECT_EQ(p.options.response_timeout, 30s);
  EXPECT_EQ(p.options.tunnel_idle_timeout, 90s);
  ASSERT_TRUE(p.auth.has_value());
  EXPECT_EQ(p.auth->htpasswd, dir_ / "users");
  EXPECT_EQ(p.auth->realm, "office proxy");
}

TEST_F(forward_proxy_config_test, an_empty_port_list_allows_no_tunnel) {
  load_result r = load(std::string(site) + "[sites.forward_proxy]\nconnect_ports = []\n");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  EXPECT_TRUE(r.config->sites[0].forward_proxy->options.connect_ports.empty());
}

struct broken_case {
  const char* name;
  const char* table;  // after "[[sites]]\ndefault = true\n[sites.forward_proxy]\n"
  std::uint32_t line;
  std::uint32_t column;
  const char* message;
};

const broken_case broken_cases[] = {
    {"port zero", "connect_ports = [443, 0]\n", 4, 23,
     "sites[0].forward_proxy.connect_ports[1]: expected a port from 1 to 65535"},
    {"port one past the last", "connect_ports = [65536]\n", 4, 18,
     "sites[0].forward_proxy.connect_ports[0]: expected a port from 1 to 65535"},
    {"port as a string", "connect_ports = [\"443\"]\n", 4, 18,
     "sites[0].forward_proxy.connect_ports[0]: expected a port from 1 to 65535"},
    {"port twice", "connect_ports = [443, 8443, 443]\n", 4, 29,
     "sites[0].forward_proxy.connect_ports[2]: 443 is listed twice"},
    {"ports not a list", "connect_ports = 443\n", 4, 17,
     "sites[0].forward_proxy.connect_ports: expected an array of ports, such as [443]"},
    {"http port one past the last", "http_ports = [80, 65536]\n", 4, 19,
     "sites[0].forward_proxy.http_ports[1]: expected a port from 1 to 65535"},
    {"http ports not a list", "http_ports = 80\n", 4, 14,
     "sites[0].forward_proxy.http_ports: expected an array of ports, such as [80]"},
    {"allow_local_destinations not a boolean", "allow_local_destinations = 1\n", 4, 28,
     "sites[0].forward_proxy.allow_local_destinations: expected true or false, found an integer"},
    {"connect timeout of zero", "connect_timeout = 0\n", 4, 19,
     "sites[0].forward_proxy.connect_timeout: must be greater than zero"},
    {"idle timeout of zero", "tunnel_idle_timeout = \"0s\"\n", 4, 23,
     "sites[0].forward_proxy.tunnel_idle_timeout: must be greater than zero"},
    {"users file missing", "users = \"nobody.htpasswd\"\n", 4, 9,
     "sites[0].forward_proxy.users: '{dir}/nobody.htpasswd' does not exist"},
    {"realm without users", "realm = \"office\"\n", 4, 9,
     "sites[0].forward_proxy.realm: a realm needs users, the htpasswd file of the proxy's users"},
    {"realm with a quote", "users = \"users\"\nrealm = \"a\\\"b\"\n", 5, 9,
     "sites[0].forward_proxy.realm: must be non-empty text without '\"', '\\' or control "
     "characters"},
    {"unknown key", "connect_port = [443]\n", 4, 1,
     "sites[0].forward_proxy.connect_port: unknown key; did you mean 'connect_ports'?"},
};

class broken_forward_proxy : public testing::config_fixture,
                             public ::testing::WithParamInterface<broken_case> {};

TEST_P(broken_forward_proxy, is_refused_with_one_positioned_message) {
  const broken_case& c = GetParam();
  load_result r = load(std::string(site) + "[sites.forward_proxy]\n" + c.table);
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << format_error(r.errors.at(0));
  std::string message = c.message;
  if (auto at = message.find("{dir}"); at != std::string::npos)
    message.replace(at, 5, dir_.string());
  EXPECT_EQ(r.errors[0].message, message);
  EXPECT_EQ(r.errors[0].line, c.line);
  EXPECT_EQ(r.errors[0].column, c.column);
}

std::string case_name(const ::testing::TestParamInfo<broken_case>& info) {
  std::string name;
  for (const char* p = info.param.name; *p; ++p)
    name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(cases, broken_forward_proxy, ::testing::ValuesIn(broken_cases), case_name);

}  // namespace
}  // namespace teapot::config
