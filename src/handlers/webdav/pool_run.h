// Work of a WebDAV request on the blocking-work pool, with "102 Processing" (RFC 2518 §10.1)
// sent at an interval while it runs, so that a client and the proxies between keep waiting for
// a long COPY, MOVE, DELETE or PROPFIND.
#pragma once

#include <chrono>
#include <functional>

#include "handlers/webdav/exchange_facts.h"
#include "teapot/response.h"

namespace teapot::handlers::webdav {

// work on the pool, then then on the loop; until then runs, 102 every interval when
// interval > 0 (the caller passes 0 for HTTP/1.0, which has no interim responses).
void run_processing(deferred_response dr, std::chrono::milliseconds interval,
                    std::function<void()> work, std::function<void()> then);

// Fills the response from an outcome: an error status without XML keeps the server's page.
void apply(const outcome& o, response& res);

}  // namespace teapot::handlers::webdav
