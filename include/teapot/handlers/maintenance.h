// Maintenance mode: 503 Service Unavailable (RFC 9110 §15.6.4) with Retry-After (§10.2.3) for
// the configured path prefixes, while it is switched on. A policy step (teapot/policy.h) for a
// site's pipeline.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "teapot/policy.h"

namespace teapot::handlers {

// Retry-After: none, a delay in seconds, or an HTTP-date.
using retry_after_value =
    std::variant<std::monostate, std::chrono::seconds, std::chrono::system_clock::time_point>;

struct maintenance_options {
  // On from the start. Otherwise maintenance is on while trigger_file exists, or while
  // *runtime_switch is true.
  bool enabled = false;
  // Path prefixes under maintenance, compared as strings ("/api/"); empty: the whole site.
  std::vector<std::string> prefixes{};
  // Creating this file switches maintenance on, removing it switches it off, without a reload.
  // Its existence is checked at most once per trigger_check_interval (one stat(2) for all
  // threads), so that the hot path does not touch the file system on every request; a change
  // shows within that interval. Empty: no file.
  std::filesystem::path trigger_file{};
  std::chrono::milliseconds trigger_check_interval{1000};
  // A switch the embedding program (a signal handler, say) flips at run time; null: none.
  std::shared_ptr<const std::atomic<bool>> runtime_switch{};
  retry_after_value retry_after{};  // an HTTP-date is sent as configured, even once past
};

// Throws std::invalid_argument for a negative delay, or a date outside the years 0000-9999
// (which has no IMF-fixdate).
std::shared_ptr<policy> make_maintenance(maintenance_options options);

}  // namespace teapot::handlers
