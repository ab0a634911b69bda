// 103 Early Hints (RFC 8297): Link fields sent ahead of the final response, so that a browser
// can start fetching a page's style sheets and scripts while the server is still working. A
// policy step (teapot/policy.h) for a site's pipeline; it never answers a request.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "teapot/handlers/path_match.h"
#include "teapot/policy.h"

namespace teapot::handlers {

struct early_hint {
  path_match match;
  // Link field values (RFC 8288), each sent as its own Link field:
  // "</app.css>; rel=preload; as=style".
  std::vector<std::string> links;
};

struct early_hints_options {
  // Every entry whose match selects the request's path contributes its links, in order, to
  // one 103. A client that cannot take a 1xx (HTTP/1.0, RFC 9110 §15.2) gets none.
  std::vector<early_hint> hints;
};

// Throws std::invalid_argument for an empty pattern, or a link that is empty or holds CR, LF
// or NUL.
std::shared_ptr<policy> make_early_hints(early_hints_options options);

}  // namespace teapot::handlers
