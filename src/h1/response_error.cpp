#include "h1/response_error.h"

namespace teapot::h1 {

// Every reason is an invalid response from the inbound server (RFC 9110 §15.6.3); the switch
// stays so that a reason that deserves another answer is added where it cannot be missed.
http::status to_status(response_error e) noexcept {
  using enum response_error;
  switch (e) {
    case bad_status_line:
    case bad_version:
    case unsupported_version:
    case bad_status_code:
    case bad_reason_phrase:
    case bad_line_ending:
    case whitespace_before_colon:
    case obs_fold:
    case bad_field_name:
    case bad_field_value:
    case missing_colon:
    case bad_content_length:
    case bad_transfer_encoding:
    case transfer_encoding_in_http10:
    case bad_connection:
    case unexpected_upgrade:
    case bad_chunk_size:
    case bad_chunk_extension:
    case bad_chunk_data:
    case bad_trailer:
    case incomplete_body:
    case status_line_too_long:
    case field_line_too_long:
    case header_section_too_large:
    case too_many_fields:
    case chunk_line_too_long:
    case chunk_extensions_too_long:
      return http::status::bad_gateway;
  }
  return http::status::bad_gateway;  // unreachable for a valid enumerator
}

std::string_view describe(response_error e) noexcept {
  using enum response_error;
  switch (e) {
    case bad_status_line:
      return "malformed status line";
    case bad_version:
      return "malformed HTTP version";
    case unsupported_version:
      return "unsupported HTTP version";
    case bad_status_code:
      return "invalid status code";
    case bad_reason_phrase:
      return "invalid byte in reason phrase";
    case bad_line_ending:
      return "line ending is not CRLF";
    case whitespace_before_colon:
      return "whitespace before colon";
    case obs_fold:
      return "obsolete line folding";
    case bad_field_name:
      return "invalid field name";
    case bad_field_value:
      return "invalid byte in field value";
    case missing_colon:
      return "field line without colon";
    case bad_content_length:
      return "invalid Content-Length";
    case bad_transfer_encoding:
      return "invalid Transfer-Encoding";
    case transfer_encoding_in_http10:
      return "Transfer-Encoding in HTTP/1.0";
    case bad_connection:
      return "invalid Connection";
    case unexpected_upgrade:
      return "101 without an upgrade request";
    case bad_chunk_size:
      return "invalid chunk size";
    case bad_chunk_extension:
      return "invalid chunk extension";
    case bad_chunk_data:
      return "chunk data not followed by CRLF";
    case bad_trailer:
      return "invalid trailer field";
    case incomplete_body:
      return "connection closed before the body ended";
    case status_line_too_long:
      return "status line too long";
    case field_line_too_long:
      return "field line too long";
    case header_section_too_large:
      return "header section too large";
    case too_many_fields:
      return "too many fields";
    case chunk_line_too_long:
      return "chunk size line too long";
    case chunk_extensions_too_long:
      return "chunk extensions too long";
  }
  return "unknown response error";
}

std::string_view name_of(response_error e) noexcept {
  using enum response_error;
  switch (e) {
    case bad_status_line:
      return "bad_status_line";
    case bad_version:
      return "bad_version";
    case unsupported_version:
      return "unsupported_version";
    case bad_status_code:
      return "bad_status_code";
    case bad_reason_phrase:
      return "bad_reason_phrase";
    case bad_line_ending:
      return "bad_line_ending";
    case whitespace_before_colon:
      return "whitespace_before_colon";
    case obs_fold:
      return "obs_fold";
    case bad_field_name:
      return "bad_field_name";
    case bad_field_value:
      return "bad_field_value";
    case missing_colon:
      return "missing_colon";
    case bad_content_length:
      return "bad_content_length";
    case bad_transfer_encoding:
      return "bad_transfer_encoding";
    case transfer_encoding_in_http10:
      return "transfer_encoding_in_http10";
    case bad_connection:
      return "bad_connection";
    case unexpected_upgrade:
      return "unexpected_upgrade";
    case bad_chunk_size:
      return "bad_chunk_size";
    case bad_chunk_extension:
      return "bad_chunk_extension";
    case bad_chunk_data:
      return "bad_chunk_data";
    case bad_trailer:
      return "bad_trailer";
    case incomplete_body:
      return "incomplete_body";
    case status_line_too_long:
      return "status_line_too_long";
    case field_line_too_long:
      return "field_line_too_long";
    case header_section_too_large:
      return "header_section_too_large";
    case too_many_fields:
      return "too_many_fields";
    case chunk_line_too_long:
      return "chunk_line_too_long";
    case chunk_extensions_too_long:
      return "chunk_extensions_too_long";
  }
  return "unknown";
}

}  // namespace teapot::h1
