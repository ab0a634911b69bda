// The name/value list nghttp2 sends for a response head or its trailers, built from the
// owner's fields: names lower-cased (RFC 9113 §8.2: "field names MUST be converted to
// lowercase"), and the connection-specific fields dropped, which the owner may have set for
// HTTP/1.1 and which §8.2.2 forbids on HTTP/2 (a message with one is malformed, and the client
// would reset the stream). nghttp2 copies the list when it is submitted, so one list is reused
// from head to head. Internal to h2.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "teapot/http/status.h"
#include "teapot/request.h"

namespace teapot::h2 {

// Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade (RFC 9113 §8.2.2), in
// any case.
bool is_connection_specific(std::string_view name) noexcept;

class response_fields {
 public:
  // ":status" and then the fields.
  std::span<const nghttp2_nv> head(http::status s, std::span<const header_field> fields);
  // The fields alone (trailers: no pseudo-header, §8.1).
  std::span<const nghttp2_nv> trailers(std::span<const header_field> fields);
  // The list the last call built.
  std::span<const nghttp2_nv> list() const noexcept { return nv_; }

 private:
  void add_fields(std::span<const header_field> fields);
  std::span<const nghttp2_nv> finish();

  std::string text_;  // lower-cased names and the values, back to back
  std::vector<std::pair<std::size_t, std::size_t>> lengths_;  // name, value
  std::vector<nghttp2_nv> nv_;
};

}  // namespace teapot::h2
