// The body of a response from an upstream server, delimited as its head says (RFC 9112 §6.3):
// a count of bytes, the chunked coding (with its trailer section), or the close of the
// connection. Sans-IO and without copies: each call hands back the content it found as a view
// into the caller's input, which the caller forwards before it drops the bytes consumed.
//
//   reset(head);
//   decode(input):
//     data       forward data, drop `consumed` bytes, call again with the rest (even if empty);
//     need_more  every byte of input was framing (consumed == input.size()): read more;
//     done       the body ended after `consumed` bytes, data holds its last piece (maybe
//                empty); trailers() now holds a chunked body's trailer fields;
//     error      the body cannot be trusted: close both connections (or answer 502 if
//                nothing of the response was forwarded yet).
//   end_of_input() when the connection closes: done for a body the close delimits, else error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "h1/request_parser.h"
#include "h1/response_error.h"
#include "h1/response_parser.h"

namespace teapot::h1 {

class response_body_decoder {
 public:
  // Uses limits' chunk_line, chunk_extensions and, for trailers, field_line, header_section
  // and fields. The content itself has no limit: it streams through.
  explicit response_body_decoder(const response_limits& limits = {});

  // Ready for the body head frames: none and tunnel frame no body, and decode() says done at
  // once, consuming nothing.
  void reset(const response_head& head) noexcept;

  struct result {
    enum class kind : std::uint8_t { need_more, data, done, error };
    kind outcome = kind::need_more;
    std::size_t consumed = 0;  // bytes of input used, framing and data
    std::string_view data;     // content found in input, within its consumed prefix
    response_error error{};    // with error
  };
  result decode(std::string_view input);
  // The connection to the upstream server closed (cleanly: a TLS close without close_notify
  // is the caller's error). RFC 9112 §8: a body shorter than its Content-Length, or a chunked
  // body without its last-chunk, is incomplete.
  result end_of_input() noexcept;

  // The trailer fields of a chunked body, once decode() said done: views into the decoder,
  // valid until the next reset(). Never merged into the head.
  std::span<const header_field> trailers() const noexcept { return chunked_.trailers(); }

 private:
  result fail(response_error e, std::size_t consumed) noexcept;
  result decode_chunked(std::string_view input);

  enum class state : std::uint8_t { reading, done, failed };
  response_framing framing_ = response_framing::none;
  state state_ = state::done;
  std::uint64_t left_ = 0;  // with content_length
  response_error error_{};
  chunked_decoder chunked_;
};

// The response_error that a chunked_decoder's parse_error stands for.
response_error response_error_of(parse_error e) noexcept;

}  // namespace teapot::h1
