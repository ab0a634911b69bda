// The answer to a connection past limits.max_connections: 503 with Retry-After and
// Connection: close, its body and fields from the same error-page code as every other 503
// (fill_error_page, as the default site configures it), so that the two cannot drift apart.
// It is decided before any request is read: the page is the one a request without
// Accept-Language or Accept gets (the site's own 503 file, else the English built-in page), and
// the site's steps take no last look, since there is no request for them to match.
// Rendered once per site set (when a worker starts, and again when it adopts the sites of a
// reload): a refusal then costs no allocation, and only the Date field changes.
// Thread contract: built on any thread, then only read (by one worker).
#pragma once

#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "teapot/server.h"
#include "teapot/site.h"

namespace teapot::srv {

class overload_answer {
 public:
  // site: the one that takes the Hosts nobody claims; null (strict hosts) for the built-in page.
  overload_answer(const server_options& options, const site* site);

  // The whole message with date (an IMF-fixdate) in the Date field, as the pieces of one
  // writev. The pieces point into this object and into date.
  std::array<iovec, 3> pieces(std::string_view date) const noexcept;
  std::size_t size() const noexcept { return bytes_.size(); }
  // The message as rendered, with a fixed date in its Date field (for tests).
  std::string_view rendered() const noexcept { return bytes_; }

 private:
  std::string bytes_;
  std::size_t date_at_ = 0;  // where the Date field's value starts in bytes_
};

}  // namespace teapot::srv
