// What can be read of a request head the parser refused, for the access log: the line of a
// 400 without its User-Agent and Referer tells an operator little. Nothing read here is ever
// acted on; it is only written, escaped, in a log line.
// Pure: views into the bytes given, no allocation; safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace teapot::h1 {

struct rejected_head {
  std::string_view request_line;  // request_line_of()
  // Set when the line has the shape of RFC 9112 §3, `token SP target SP HTTP/D.D`, whatever
  // its parts hold (the target may be what the parser refused); else empty. method alone is
  // set when only the line's first part is a token followed by SP.
  std::string_view method;
  std::string_view target;
  std::string_view protocol;
  // The first field line of each name among those that came whole (name, ':', a value of
  // field-content, the line end) before the empty line; values without surrounding OWS.
  std::string_view host;
  std::string_view referer;
  std::string_view user_agent;
};

// The request line of received (the message's bytes from its first): the first line after any
// empty lines (RFC 9112 §2.2), without its line end, at most line_limit bytes.
std::string_view request_line_of(std::string_view received, std::size_t line_limit) noexcept;

// Reads received (the message's bytes from its first, as far as they came) along RFC 9112
// §2.1 without judging it. Field lines are read within field_bytes after the request line.
rejected_head read_rejected_head(std::string_view received, std::size_t line_limit,
                                 std::size_t field_bytes) noexcept;

}  // namespace teapot::h1
