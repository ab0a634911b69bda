// The status page: one HTML document, no external assets, rendered on the server: the codes
// served over the last minutes as an SVG chart, the codes of that window, the most frequent
// paths per error code, the connections per worker and the sites.
// Thread contract: a pure function of its arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/metrics.h"

namespace teapot::srv {

// A site as the page lists it.
struct site_summary {
  std::vector<std::string> hosts{};  // empty: every host (the default site without names)
  bool is_default = false;
  std::vector<std::string> steps{};  // the pipeline's steps by name, in order
};

struct status_page_input {
  const metrics_totals* totals = nullptr;
  const server_metrics* server = nullptr;
  std::vector<site_summary> sites;
  std::int64_t now_ms = 0;    // the monotonic clock the slots were counted with
  std::int64_t now_unix = 0;  // for "up for" and the page's own time
  unsigned refresh_seconds = 10;
};

std::string render_status_page(const status_page_input& in);

}  // namespace teapot::srv
