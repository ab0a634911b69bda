// What the server reads of a site that the public API does not show.
#pragma once

#include <memory>

#include "teapot/handler.h"
#include "teapot/site.h"

namespace teapot::srv {

struct site_access {
  // The forward proxy's handler; null when the site is none.
  static const handler* forward_handler(const site& s) noexcept {
    return s.forward_ ? &s.forward_handler_ : nullptr;
  }
  // The versions delta encoding starts from (server/delta); null when it is off.
  static const std::shared_ptr<delta::version_store>& delta_store(const site& s) noexcept {
    return s.delta_store_;
  }
};

}  // namespace teapot::srv
