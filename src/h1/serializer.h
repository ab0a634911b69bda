// RFC 9112 response heads. Sans-IO: appends bytes to the caller's buffer, which is reused from
// response to response so that nothing is allocated once it has grown.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "http/status_line.h"
#include "teapot/http/status.h"

namespace teapot::h1 {

enum class body_kind : std::uint8_t {
  none,            // no content at all: 1xx, 204, 304 (RFC 9110 §6.4.1)
  length,          // Content-Length framing
  chunked,         // HTTP/1.1 content of unknown length
  close_delimited  // HTTP/1.0 content of unknown length: ends with the connection
};

struct head_params {
  http::status status = http::status::ok;
  int version_minor = 1;  // of the request: decides how persistence is spelled
  bool keep_alive = true;
  body_kind body = body_kind::length;
  std::uint64_t content_length = 0;  // with body_kind::length (also for HEAD)
  std::string_view date;             // IMF-fixdate
  std::string_view server;           // Server field value; empty: none
};

// Which framing a response gets. 1xx, 204 and 304 never carry content; a response of unknown
// length is chunked for HTTP/1.1 and delimited by close for HTTP/1.0 (RFC 9112 §6.3).
body_kind choose_body_kind(http::status s, bool length_known, int version_minor) noexcept;

// Appends a string literal without measuring it at run time.
template <std::size_t N>
inline void append_literal(std::string& out, const char (&text)[N]) {
  out.append(text, N - 1);
}

inline void append_number(std::string& out, std::uint64_t n) {
  char buf[20];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// Appends the status line, Date, Server, the handler's fields (for_each_field(f) calls
// f(name, value) for each), the framing fields and the empty line.
template <class ForEachField>
void append_response_head(std::string& out, const head_params& p, ForEachField&& for_each_field) {
  out.append(http::status_line(p.status));
  if (!p.date.empty()) {
    append_literal(out, "Date: ");
    out.append(p.date);
    append_literal(out, "\r\n");
  }
  if (!p.server.empty()) {
    append_literal(out, "Server: ");
    out.append(p.server);
    append_literal(out, "\r\n");
  }
  bool upgrade = false;
  for_each_field([&out, &upgrade](std::string_view name, std::string_view value) {
    if (name.size() == 7 && (name[0] == 'U' || name[0] == 'u'))
      upgrade = upgrade || base::ascii::iequals(name, "Upgrade");
    out.append(name);
    append_literal(out, ": ");
    out.append(value);
    append_literal(out, "\r\n");
  });
  switch (p.body) {
    case body_kind::length:
      append_literal(out, "Content-Length: ");
      append_number(out, p.content_length);
      append_literal(out, "\r\n");
      break;
    case body_kind::chunked:
      append_literal(out, "Transfer-Encoding: chunked\r\n");
      break;
    case body_kind::none:
    case body_kind::close_delimited:
      break;
  }
  // RFC 9110 §7.8: a sender of Upgrade (a 426's protocols) names it in Connection too, so
  // that no intermediary passes it on as the next hop's.
  if (upgrade && p.version_minor >= 1 && p.keep_alive)
    append_literal(out, "Connection: upgrade\r\n");
  else if (upgrade && p.version_minor >= 1)
    append_literal(out, "Connection: close, upgrade\r\n");
  else if (!p.keep_alive && p.version_minor >= 1)
    append_literal(out, "Connection: close\r\n");
  else if (p.keep_alive && p.version_minor == 0)
    append_literal(out, "Connection: keep-alive\r\n");
  append_literal(out, "\r\n");
}

// An interim (1xx) response: status line, the given fields, empty line. No Date or framing.
template <class ForEachField>
void append_interim_head(std::string& out, http::status s, ForEachField&& for_each_field) {
  out.append(http::status_line(s));
  for_each_field([&out](std::string_view name, std::string_view value) {
    out.append(name);
    append_literal(out, ": ");
    out.append(value);
    append_literal(out, "\r\n");
  });
  append_literal(out, "\r\n");
}

}  // namespace teapot::h1
