// 103 Early Hints (RFC 8297): Link fields sent ahead of the final response, so that a browser
// can start fetching a page's style sheets and scripts while the server is still working. A
// policy step (teapot/policy.h) for a site's pipeline; it never answers a request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "teapot/handlers/path_match.h"
#include "teapot/policy.h"

namespace teapot::handlers {

// Which HTTP/1.1 clients get a 103. RFC 9110 §15.2 obliges every HTTP/1.1 client to skip a 1xx
// it did not ask for, but widespread ones do not: Python's http.client (and urllib, requests
// on top of it) returns the 103 as if it were the final response, and so do several Java and
// Haskell clients. A hint is only an optimisation, so by default it goes to the clients known
// to take it: browsers (a User-Agent starting "Mozilla/") and curl ("curl/"). Every HTTP/2
// client gets it whatever the entry says: HTTP/2 has interim responses in its framing
// (RFC 9113 §8.1).
enum class early_hints_clients : std::uint8_t {
  known,  // browsers and curl
  all,    // every HTTP/1.1 client (RFC 9110's letter)
  none,   // no HTTP/1.1 client
};

struct early_hint {
  path_match match{};
  // Link field values (RFC 8288), each sent as its own Link field:
  // "</app.css>; rel=preload; as=style".
  std::vector<std::string> links{};
  early_hints_clients http1_clients = early_hints_clients::known;
};

struct early_hints_options {
  // Every entry whose match selects the request's path, and whose http1_clients takes the
  // client, contributes its links, in order, to one 103. A client that cannot take a 1xx
  // (HTTP/1.0, RFC 9110 §15.2) gets none.
  std::vector<early_hint> hints{};
};

// Throws std::invalid_argument for an empty pattern, or a link that is empty or holds CR, LF
// or NUL.
std::shared_ptr<policy> make_early_hints(early_hints_options options);

}  // namespace teapot::handlers
