#include "config/reload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace teapot::config {
namespace {

using namespace std::chrono_literals;
using keys = std::vector<std::string>;

configuration base() {
  configuration c;
  c.sites.emplace_back();
  return c;
}

TEST(changes_needing_restart, none_when_only_sites_change) {
  configuration running = base();
  configuration loaded = base();
  loaded.sites[0].hosts = {"example.com"};
  loaded.sites.emplace_back();
  loaded.error_log.level = log_level::debug;  // taken live
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{});
}

TEST(changes_needing_restart, names_listeners_workers_limits_and_logs) {
  configuration running = base();
  configuration loaded = base();
  loaded.server.options.listen = {"127.0.0.1:9090"};
  loaded.server.options.workers = 7;
  loaded.server.options.blocking_threads = 9;
  loaded.server.options.limits.send_timeout = 1s;
  loaded.server.max_connections = 10;
  loaded.access_log.format = access_log_format::json;
  loaded.error_log.path = "/tmp/e.log";
  EXPECT_EQ(changes_needing_restart(running, loaded),
            (keys{"server.listen", "server.workers", "server.blocking_threads",
                  "server.max_connections", "server.limits", "access_log", "error_log.path"}));
}

}  // namespace
}  // namespace teapot::config
