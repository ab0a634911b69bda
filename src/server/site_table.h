// Which site answers a request, by its Host (RFC 9110 §7.4): the first site that claims the
// name, else the default site, else nobody (strict hosts: 421).
// Thread contract: built before the workers start, then only read.
#pragma once

#include <string_view>
#include <vector>

#include "teapot/site.h"

namespace teapot::srv {

struct site_table {
  std::vector<const site*> named;  // in the order they were added
  const site* fallback = nullptr;  // null with strict hosts

  const site* find(std::string_view host) const noexcept {
    for (const site* s : named)
      if (s->answers_for(host)) return s;
    return fallback;
  }
};

}  // namespace teapot::srv
