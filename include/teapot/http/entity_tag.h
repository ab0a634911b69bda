// An entity tag (RFC 9110 §8.8.3) as a value: what a response's ETag says, and what conditional
// requests compare.
#pragma once

#include <string_view>

namespace teapot::http {

struct entity_tag {
  std::string_view opaque;  // between the quotes
  bool weak = false;        // W/ prefix: a weak validator (§8.8.1)
};

}  // namespace teapot::http
