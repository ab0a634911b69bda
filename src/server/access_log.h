// The access log's line formats: Common, Combined and JSON lines, one line per response.
// Thread contract: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
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
  std::string_view host;  // the site's name as the client gave it (h1_exchange::authority_of)
  // From the request's first byte read to the response handed to the connection (nginx's
  // $request_time, less the sending of content that was ready); none when unknown.
  std::optional<std::uint64_t> duration_ms;
};

// Appends the entry's line, '\n' included. In Common and Combined, '"', '\' and bytes that are
// not printable ASCII are escaped as \", \\ and \xHH (Apache's and nginx's rule), so that a
// request line cannot break out of its quotes nor forge a line; both keep their classic fields
// only, which log readers parse by position. JSON adds host and duration; its strings are
// UTF-8: what the client sent as valid UTF-8 goes through, each invalid sequence becomes
// U+FFFD (as WHATWG decoders and Python's "replace" do), and only '"', '\' and control
// characters (C0, DEL, C1) are escaped, so that a line is valid JSON and one line.
void append_access_line(access_log_format format, const access_entry& entry, std::string& out);

// The client address without its port: "127.0.0.1:54321" -> "127.0.0.1", "[::1]:80" -> "::1".
std::string_view address_without_port(std::string_view peer) noexcept;

}  // namespace teapot::srv
