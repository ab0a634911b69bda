// Which site answers a request, by its Host (RFC 9110 §7.4): the first site that claims the
// name, else the default site, else nobody (strict hosts: 421).
// Thread contract: built before the workers start (or before a reload publishes it), then
// only read.
#pragma once

#include <cstdint>
#include <memory>
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

// Every site of a server and the table over them, owned together. Workers share one set
// through shared_ptr: a reload publishes a new set to each worker, and an exchange that
// began on the old set keeps it alive until it ends.
struct site_set {
  std::vector<std::unique_ptr<site>> added;  // add_site, in order
  site default_site;
  site* chosen_default = nullptr;  // set_default_site, else default_site
  site_table table;
  // The port of the https URLs a site's redirect_http names: the first TLS listener's. Set
  // with the table, before the workers read it.
  std::uint16_t https_port = 443;

  void index(bool strict_hosts) {
    table.named.clear();
    for (const auto& s : added)
      table.named.push_back(s.get());
    table.fallback = strict_hosts ? nullptr : (chosen_default ? chosen_default : &default_site);
  }
};

}  // namespace teapot::srv
