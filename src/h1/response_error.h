// Every reason the HTTP/1.1 codec rejects a response from an upstream server: a closed set apart
// from parse_error (whose reasons are the client's and map to 4xx/5xx answers of their own),
// mapped in one switch compiled with -Wswitch-enum. A proxy answers each with 502 (RFC 9110
// §15.6.3) when nothing of the response has gone to its client yet, and otherwise closes the
// client's connection; in both cases it closes the connection to the upstream server.
#pragma once

#include <cstdint>
#include <string_view>

#include "teapot/http/status.h"

namespace teapot::h1 {

enum class response_error : std::uint8_t {
  // The status line (RFC 9112 §4).
  bad_status_line,      // not "HTTP/" first (an HTTP/0.9 reply, a stray byte), or bad separators
  bad_version,          // "HTTP/" not followed by DIGIT "." DIGIT (RFC 9112 §2.3)
  unsupported_version,  // a major version other than 1
  bad_status_code,      // not 3DIGIT, or outside 100..599 (RFC 9110 §15)
  bad_reason_phrase,    // a control byte in the reason phrase
  bad_line_ending,      // a bare LF, or a CR not before LF (RFC 9112 §2.2)
  // Field lines (RFC 9112 §5).
  whitespace_before_colon,  // RFC 9112 §5.1
  obs_fold,                 // RFC 9112 §5.2, and whitespace before the first field line
  bad_field_name,           // empty or not a token
  bad_field_value,          // NUL or another control byte but HTAB (RFC 9110 §5.5)
  missing_colon,            // a field line with no ':'
  // What the fields say (RFC 9112 §6, RFC 9110 §7.6.1, §15.2.2).
  bad_content_length,           // not 1*DIGIT, differing values (RFC 9112 §6.3 item 5)
  bad_transfer_encoding,        // empty element, parameters, chunked twice (RFC 9112 §6.1)
  transfer_encoding_in_http10,  // RFC 9112 §6.1: the framing must be treated as faulty
  bad_connection,               // an element of Connection that is not a token
  unexpected_upgrade,           // 101 to a request that did not ask to upgrade
  // The body (RFC 9112 §6.3, §7.1, §8).
  bad_chunk_size,       // not 1*HEXDIG, or past 64 bits
  bad_chunk_extension,  // chunk-ext not per RFC 9112 §7.1.1
  bad_chunk_data,       // chunk data not followed by CRLF
  bad_trailer,          // a malformed trailer field line
  incomplete_body,      // the connection closed before the framing said the body ended
  // Limits.
  status_line_too_long,       // over response_limits::status_line before its CRLF
  field_line_too_long,        // one field line (or trailer line) over its limit
  header_section_too_large,   // the field lines (or the trailer section) over their limit
  too_many_fields,            // more field lines (or trailer lines) than the limit
  chunk_line_too_long,        // a chunk-size line with its extensions over its limit
  chunk_extensions_too_long,  // the chunk extensions of one body over their limit
};

// 502 Bad Gateway for every reason: the one place a proxy's answer to a broken upstream
// response is chosen.
http::status to_status(response_error e) noexcept;
// A short English phrase for logs ("whitespace before colon").
std::string_view describe(response_error e) noexcept;
// The enumerator's own name ("whitespace_before_colon"), for metrics labels.
std::string_view name_of(response_error e) noexcept;

}  // namespace teapot::h1
