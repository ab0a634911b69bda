#include "h1/parse_error.h"

namespace teapot::h1 {

// The one place a parse_error becomes a status; -Wswitch-enum makes a missing case an error.
http::status to_status(parse_error e) noexcept {
  using enum parse_error;
  switch (e) {
    case bad_request_line:
    case bad_method:
    case bad_target:
    case bad_target_form:
    case bad_version:
    case bare_line_feed:
    case whitespace_before_colon:
    case obs_fold:
    case bad_field_name:
    case bad_field_value:
    case missing_colon:
    case missing_host:
    case duplicate_host:
    case bad_host:
    case content_length_with_transfer_encoding:
    case bad_content_length:
    case transfer_encoding_in_http10:
    case chunked_not_last:
    case bad_transfer_encoding:
    case bad_chunk_size:
    case bad_chunk_extension:
    case bad_chunk_data:
    case bad_trailer:
      return http::status::bad_request;
    case length_required:
      return http::status::length_required;
    case content_too_large:
    case chunk_line_too_long:
    case chunk_extensions_too_long:
      return http::status::content_too_large;
    case request_line_too_long:
      return http::status::uri_too_long;
    case unsupported_expectation:
      return http::status::expectation_failed;
    case field_line_too_long:
    case header_section_too_large:
    case too_many_fields:
      return http::status::request_header_fields_too_large;
    case unknown_method:
    case unknown_transfer_coding:
      return http::status::not_implemented;
    case unsupported_version:
      return http::status::http_version_not_supported;
  }
  return http::status::bad_request;  // unreachable for a valid enumerator
}

std::string_view describe(parse_error e) noexcept {
  using enum parse_error;
  switch (e) {
    case bad_request_line:
      return "malformed request line";
    case bad_method:
      return "method is not a token";
    case bad_target:
      return "invalid request-target";
    case bad_target_form:
      return "request-target form not allowed with this method";
    case bad_version:
      return "malformed HTTP version";
    case bare_line_feed:
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
    case missing_host:
      return "missing Host";
    case duplicate_host:
      return "more than one Host";
    case bad_host:
      return "invalid Host";
    case content_length_with_transfer_encoding:
      return "Content-Length with Transfer-Encoding";
    case bad_content_length:
      return "invalid Content-Length";
    case transfer_encoding_in_http10:
      return "Transfer-Encoding in HTTP/1.0";
    case chunked_not_last:
      return "chunked is not the final transfer coding";
    case bad_transfer_encoding:
      return "invalid Transfer-Encoding";
    case bad_chunk_size:
      return "invalid chunk size";
    case bad_chunk_extension:
      return "invalid chunk extension";
    case bad_chunk_data:
      return "chunk data not followed by CRLF";
    case bad_trailer:
      return "invalid trailer field";
    case length_required:
      return "length required";
    case content_too_large:
      return "content too large";
    case chunk_line_too_long:
      return "chunk size line too long";
    case chunk_extensions_too_long:
      return "chunk extensions too long";
    case request_line_too_long:
      return "request line too long";
    case unsupported_expectation:
      return "unsupported expectation";
    case field_line_too_long:
      return "field line too long";
    case header_section_too_large:
      return "header section too large";
    case too_many_fields:
      return "too many fields";
    case unknown_method:
      return "unknown method";
    case unknown_transfer_coding:
      return "unknown transfer coding";
    case unsupported_version:
      return "unsupported HTTP version";
  }
  return "unknown parse error";
}

std::string_view name_of(parse_error e) noexcept {
  using enum parse_error;
  switch (e) {
    case bad_request_line:
      return "bad_request_line";
    case bad_method:
      return "bad_method";
    case bad_target:
      return "bad_target";
    case bad_target_form:
      return "bad_target_form";
    case bad_version:
      return "bad_version";
    case bare_line_feed:
      return "bare_line_feed";
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
    case missing_host:
      return "missing_host";
    case duplicate_host:
      return "duplicate_host";
    case bad_host:
      return "bad_host";
    case content_length_with_transfer_encoding:
      return "content_length_with_transfer_encoding";
    case bad_content_length:
      return "bad_content_length";
    case transfer_encoding_in_http10:
      return "transfer_encoding_in_http10";
    case chunked_not_last:
      return "chunked_not_last";
    case bad_transfer_encoding:
      return "bad_transfer_encoding";
    case bad_chunk_size:
      return "bad_chunk_size";
    case bad_chunk_extension:
      return "bad_chunk_extension";
    case bad_chunk_data:
      return "bad_chunk_data";
    case bad_trailer:
      return "bad_trailer";
    case length_required:
      return "length_required";
    case content_too_large:
      return "content_too_large";
    case chunk_line_too_long:
      return "chunk_line_too_long";
    case chunk_extensions_too_long:
      return "chunk_extensions_too_long";
    case request_line_too_long:
      return "request_line_too_long";
    case unsupported_expectation:
      return "unsupported_expectation";
    case field_line_too_long:
      return "field_line_too_long";
    case header_section_too_large:
      return "header_section_too_large";
    case too_many_fields:
      return "too_many_fields";
    case unknown_method:
      return "unknown_method";
    case unknown_transfer_coding:
      return "unknown_transfer_coding";
    case unsupported_version:
      return "unsupported_version";
  }
  return "unknown";
}

}  // namespace teapot::h1
