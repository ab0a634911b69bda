#include "h1/response_body.h"

#include <algorithm>
#include <limits>

namespace teapot::h1 {

using kind = response_body_decoder::result::kind;

namespace {

parser_limits chunked_limits(const response_limits& limits) {
  parser_limits p;
  p.field_line = limits.field_line;
  p.header_section = limits.header_section;
  p.fields = limits.fields;
  p.chunk_line = limits.chunk_line;
  p.chunk_extensions = limits.chunk_extensions;
  p.body = std::numeric_limits<std::uint64_t>::max();
  return p;
}

}  // namespace

response_body_decoder::response_body_decoder(const response_limits& limits)
    : chunked_(chunked_limits(limits)) {}

void response_body_decoder::reset(const response_head& head) noexcept {
  framing_ = head.framing;
  left_ = framing_ == response_framing::content_length ? head.content_length : 0;
  error_ = {};
  chunked_.reset();
  const bool empty = framing_ == response_framing::none || framing_ == response_framing::tunnel ||
                     (framing_ == response_framing::content_length && left_ == 0);
  state_ = empty ? state::done : state::reading;
}

response_body_decoder::result response_body_decoder::fail(response_error e,
                                                          std::size_t consumed) noexcept {
  state_ = state::failed;
  error_ = e;
  return {kind::error, consumed, {}, e};
}

response_body_decoder::result response_body_decoder::decode(std::string_view in) {
  if (state_ == state::failed) return {kind::error, 0, {}, error_};
  if (state_ == state::done) return {kind::done, 0, {}, {}};
  switch (framing_) {
    case response_framing::content_length: {
      // RFC 9112 §6.3 item 6: exactly that many bytes; what follows is the next response's.
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
      if (take == 0) return {kind::need_more, 0, {}, {}};
      left_ -= take;
      if (left_ == 0) state_ = state::done;
      return {left_ == 0 ? kind::done : kind::data, take, in.substr(0, take), {}};
    }
    case response_framing::chunked:
      return decode_chunked(in);
    case response_framing::until_close:
      // RFC 9112 §6.3 item 8: every byte until the close is content.
      if (in.empty()) return {kind::need_more, 0, {}, {}};
      return {kind::data, in.size(), in, {}};
    case response_framing::none:
    case response_framing::tunnel:
      break;
  }
  return {kind::done, 0, {}, {}};
}

response_body_decoder::result response_body_decoder::decode_chunked(std::string_view in) {
  std::string_view data;
  const chunked_decoder::result r = chunked_.decode_piece(in, data);
  switch (r.outcome) {
    case parse_result::kind::error:
      return fail(response_error_of(r.error), r.consumed);
    case parse_result::kind::done:
      state_ = state::done;
      return {kind::done, r.consumed, {}, {}};
    case parse_result::kind::need_more:
      break;
  }
  return {data.empty() ? kind::need_more : kind::data, r.consumed, data, {}};
}

response_body_decoder::result response_body_decoder::end_of_input() noexcept {
  if (state_ == state::failed) return {kind::error, 0, {}, error_};
  if (state_ == state::done || framing_ == response_framing::until_close) {
    state_ = state::done;
    return {kind::done, 0, {}, {}};
  }
  return fail(response_error::incomplete_body, 0);
}

// The chunked decoder speaks the request side's parse_error; these are the reasons it gives.
response_error response_error_of(parse_error e) noexcept {
  using enum parse_error;
  switch (e) {
    case bad_chunk_size:
    case content_too_large:  // the sizes added up past 64 bits: no limit is set below that
      return response_error::bad_chunk_size;
    case bad_chunk_extension:
      return response_error::bad_chunk_extension;
    case bad_chunk_data:
      return response_error::bad_chunk_data;
    case bad_trailer:
      return response_error::bad_trailer;
    case bare_line_feed:
      return response_error::bad_line_ending;
    case obs_fold:
      return response_error::obs_fold;
    case chunk_line_too_long:
      return response_error::chunk_line_too_long;
    case chunk_extensions_too_long:
      return response_error::chunk_extensions_too_long;
    case field_line_too_long:
      return response_error::field_line_too_long;
    case header_section_too_large:
      return response_error::header_section_too_large;
    case too_many_fields:
      return response_error::too_many_fields;
    // Reasons of a request head, which the chunked decoder never gives.
    case bad_request_line:
    case bad_method:
    case bad_target:
    case bad_target_form:
    case bad_version:
    case whitespace_before_colon:
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
    case length_required:
    case request_line_too_long:
    case unsupported_expectation:
    case unknown_method:
    case unknown_transfer_coding:
    case unsupported_version:
      return response_error::bad_chunk_data;
  }
  return response_error::bad_chunk_data;
}

}  // namespace teapot::h1
