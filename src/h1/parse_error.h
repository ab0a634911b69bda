// Every reason the HTTP/1.1 codec rejects a message: a closed set, mapped to its status in one
// switch (to_status), compiled with -Wswitch-enum so that a new reason cannot go unmapped.
#pragma once

#include <cstdint>
#include <string_view>

#include "teapot/http/status.h"

namespace teapot::h1 {

enum class parse_error : std::uint8_t {
  // 400 Bad Request: the message cannot be trusted; the connection closes after the answer.
  bad_request_line,         // not method SP target SP version CRLF (RFC 9112 §3)
  bad_method,               // method is not a token
  bad_target,               // a byte outside the request-target grammar, '#', empty target
  bad_target_form,          // '*' other than with OPTIONS, authority-form other than CONNECT
  bad_version,              // not "HTTP/" DIGIT "." DIGIT (also HTTP/0.9 lines)
  bare_line_feed,           // a line ending in LF without CR, a CR not before LF
  whitespace_before_colon,  // RFC 9112 §5.1
  obs_fold,                 // RFC 9112 §5.2
  bad_field_name,           // empty or not a token
  bad_field_value,          // NUL, CR, LF or another CTL in a value
  missing_colon,            // a field line with no ':'
  missing_host,             // HTTP/1.1 without Host (RFC 9112 §3.2)
  duplicate_host,           // more than one Host
  bad_host,                 // Host not uri-host [":" port]
  content_length_with_transfer_encoding,  // RFC 9112 §6.3 item 3
  bad_content_length,                     // not 1*DIGIT, a list, or a duplicate (even identical)
  transfer_encoding_in_http10,            // RFC 9112 §6.1
  chunked_not_last,                       // RFC 9112 §6.3 item 4
  bad_transfer_encoding,                  // empty element, quoted string, not a token list
  bad_chunk_size,                         // not 1*HEXDIG, or too many digits for 64 bits
  bad_chunk_extension,  // chunk-ext not per RFC 9112 §7.1.1 (unbalanced quote...)
  bad_chunk_data,       // chunk data not followed by CRLF
  bad_trailer,          // a malformed trailer field line
  // 411 Length Required: a method that needs content sent neither Content-Length nor chunked.
  length_required,
  // 413 Content Too Large.
  content_too_large,          // Content-Length or the de-chunked body over limits.body
  chunk_line_too_long,        // a chunk-size line (with extensions) over limits.chunk_line
  chunk_extensions_too_long,  // the message's chunk extensions over limits.chunk_extensions
  // 414 URI Too Long.
  request_line_too_long,  // over limits.request_line before its CRLF
  // 417 Expectation Failed.
  unsupported_expectation,  // Expect other than 100-continue
  // 431 Request Header Fields Too Large.
  field_line_too_long,       // one field line over limits.field_line
  header_section_too_large,  // the whole section over limits.header_section
  too_many_fields,           // more than limits.fields lines
  // 501 Not Implemented.
  unknown_method,           // not in the configured method set (methods are case-sensitive)
  unknown_transfer_coding,  // chunked last, but another coding this server cannot undo
  // 505 HTTP Version Not Supported.
  unsupported_version,  // HTTP/<major> with major != 1 (also the HTTP/2 preface)
};

http::status to_status(parse_error e) noexcept;
// A short English phrase for logs ("whitespace before colon").
std::string_view describe(parse_error e) noexcept;
// The enumerator's own name ("whitespace_before_colon"), for metrics labels.
std::string_view name_of(parse_error e) noexcept;

}  // namespace teapot::h1
