// Every reason the HTTP/2 codec turns down a well-formed request whose head it will not take
// whole: a closed set, mapped to its status in one switch (to_status), compiled with
// -Wswitch-enum, as h1's parse_error is. The session tells its owner (on_request_rejected),
// which answers with the status on the stream, as HTTP/1.1 would on its connection.
//
// A *malformed* request (RFC 9113 §8.1.1) is not among them: it gets no status, only a stream
// error of type PROTOCOL_ERROR, and its owner never hears of it.
#pragma once

#include <cstdint>
#include <string_view>

#include "teapot/http/status.h"

namespace teapot::h2 {

enum class request_error : std::uint8_t {
  // 414 URI Too Long.
  path_too_long,  // :path over limits.path (h1's request line limit)
  // 431 Request Header Fields Too Large (RFC 9113 §10.5.1, RFC 6585 §5).
  header_list_too_large,  // the decoded field section over limits.header_list (§6.5.2 sizes)
  too_many_fields,        // more than limits.fields regular fields
};

http::status to_status(request_error e) noexcept;
// The enumerator's own name ("header_list_too_large"), for logs and metrics labels.
std::string_view name_of(request_error e) noexcept;

}  // namespace teapot::h2
