// Directory listings: an HTML page, or JSON when the client's Accept prefers it (RFC 9110
// §12.5.1). Not on the hot path: a listing allocates freely.
#pragma once

#include "handlers/common/html.h"

#include <string>
#include <string_view>

#include "teapot/handlers/static_files.h"
#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot::handlers::static_files {

using handlers::append_html_escaped;
// RFC 3986 §2.1: every byte but the unreserved ones percent-encoded, so that any name ("a:b",
// "x?y#z") stays one relative path segment.
void append_percent_encoded(std::string& out, std::string_view name);

void serve_listing(int root_fd, int dir_fd, std::string_view relative, const request& req,
                   const static_files_options& opts, response& res);

}  // namespace teapot::handlers::static_files
