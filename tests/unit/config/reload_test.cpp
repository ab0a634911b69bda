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
  loaded.server.listen = {"127.0.0.1:9090"};
  loaded.server.workers = 7;
  loaded.server.blocking_threads = 9;
  loaded.server.limits.send_timeout = 1s;
  loaded.server.limits.max_connections = 10;
  loaded.access_log.format = access_log_format::json;
  loaded.error_log.path = "/tmp/e.log";
  EXPECT_EQ(changes_needing_restart(running, loaded),
            (keys{"server.listen", "server.workers", "server.blocking_threads",
                  "server.max_connections", "server.limits", "access_log", "error_log.path"}));
}

// The listeners and the rotation timer are made at start; the certificates are replaced on
// reload (server::replace_certificates), so a renewed one needs no restart.
TEST(changes_needing_restart, names_tls_listeners_and_rotation_but_not_certificates) {
  configuration running = base();
  configuration loaded = base();
  loaded.server.tls_listen = {"127.0.0.1:8443"};
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{"server.tls_listen"});
  running.server.tls_listen = loaded.server.tls_listen;
  running.server.certificates = {{"/c/cert.pem", "/c/key.pem", {"a.test"}}};
  loaded.server.certificates = running.server.certificates;
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{});
  for (auto change : {+[](tls_certificate& c) { c.chain = "/d/cert.pem"; },
                      +[](tls_certificate& c) { c.key = "/d/key.pem"; },
                      +[](tls_certificate& c) { c.names = {"b.test"}; }}) {
    configuration changed = loaded;
    change(changed.server.certificates[0]);
    EXPECT_EQ(changes_needing_restart(running, changed), keys{});
  }
  loaded.server.certificates.push_back(loaded.server.certificates[0]);
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{});
  loaded.server.tls_ticket_rotation = std::chrono::hours(1);
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{"server.tls.ticket_rotation"});
}

TEST(changes_needing_restart, names_the_new_limits) {
  configuration running = base();
  configuration loaded = base();
  loaded.server.limits.max_connections_per_address = 3;
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{"server.max_connections_per_address"});
  loaded = base();
  loaded.server.limits.body_min_rate = 0;
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{"server.limits"});
  loaded = base();
  loaded.server.limits.chunk_extensions = 1;
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{"server.limits"});
}

TEST(changes_needing_restart, names_the_send_buffer_apart_from_the_limits) {
  configuration running = base();
  configuration loaded = base();
  loaded.server.limits.send_buffer = 0;
  EXPECT_EQ(changes_needing_restart(running, loaded), keys{"server.send_buffer"});
}

}  // namespace
}  // namespace teapot::config
