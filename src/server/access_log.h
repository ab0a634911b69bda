// The access log's line formats: Common, Combined and JSON lines, one line per response.
// Thread contract: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "teapot/log.h"

namespace teapot::srv {

// One response as the access log sees it. Empty views are absent values ("-", or null in JSON).
struct access_entry {
  std::string_view client;        // "127.0.0.1:54321", "[::1]:54321": written without the port
  std::time_t time = 0;           // when the response was written, UTC
  std::string_view request_line;  // "GET /x HTTP/1.1", or the raw first line of a rejected one
  std::string_view method;        // empty when the request line could not be parsed
  std::string_view target;
  std::string_view protocol;  // "HTTP/1.1"
  int status = 0;
  std::uint64_t bytes = 0;  // of the body, head excluded
  std::string_view referer;
  std::string_view user_agent;
};

// Appends the entry's line, '\n' included. In Common and Combined, '"', '\' and bytes that are
// not printable ASCII are escaped as \", \\ and \xHH (Apache's rule), so that a request line
// cannot break out of its quotes nor forge a line. In JSON, strings are escaped per RFC 8259
// and every byte outside printable ASCII becomes \u00HH, so that the line is valid JSON and
// ASCII whatever the client sent.
void append_access_line(access_log_format format, const access_entry& entry, std::string& out);

// The client address without its port: "127.0.0.1:54321" -> "127.0.0.1", "[::1]:80" -> "::1".
std::string_view address_without_port(std::string_view peer) noexcept;

}  // namespace teapot::srv
