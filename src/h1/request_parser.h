// RFC 9112 request-head parser. Sans-IO: it reads bytes the caller holds, keeps no pointer into
// them between calls (only offsets), and allocates nothing after construction.
//
// The caller passes, on every call, all the bytes received so far for the current message
// starting at its first byte (the buffer may have moved or grown between calls). Bytes may
// arrive one at a time; each byte is examined once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "h1/parse_error.h"
#include "teapot/request.h"

namespace teapot::h1 {

struct parser_limits {
  std::size_t request_line = 8 * 1024;
  std::size_t field_line = 8 * 1024;
  std::size_t header_section = 64 * 1024;
  std::size_t fields = 100;
  std::uint64_t body = 1024 * 1024;
  std::size_t chunk_line = 4 * 1024;
};

struct parser_config {
  parser_limits limits;
  // Methods the server implements (case-sensitive). Any other token: unknown_method (501).
  std::vector<std::string> methods{"GET", "HEAD", "POST", "PUT", "DELETE",
                                   "OPTIONS", "PATCH", "TRACE", "CONNECT"};
  // Methods that require framing (Content-Length or chunked): length_required (411) otherwise.
  std::vector<std::string> methods_requiring_length{"POST", "PUT"};
};

enum class body_framing : std::uint8_t { none, content_length, chunked };

// A parsed request head. Views point into the buffer given to the call that returned done.
struct request_head {
  std::string_view method;
  std::string_view target;
  int version_minor = 1;  // 0 or 1 (a higher minor of major 1 is treated as 1)
  std::span<const header_field> fields;
  std::string_view host;  // the Host value (empty for HTTP/1.0 without one)
  body_framing framing = body_framing::none;
  std::uint64_t content_length = 0;  // with body_framing::content_length
  bool keep_alive = true;            // from version and Connection
  bool expect_continue = false;      // Expect: 100-continue
  bool upgrade = false;              // Connection: upgrade with an Upgrade field
};

struct parse_result {
  enum class kind : std::uint8_t { need_more, done, error };
  kind outcome = kind::need_more;
  std::size_t consumed = 0;  // with done: the length of the head, through the final CRLF
  parse_error error{};       // with error
};

class request_parser {
 public:
  explicit request_parser(const parser_config& config);
  // Empty lines before the request line are skipped (RFC 9112 §2.2) and count in consumed.
  parse_result parse(std::string_view received);
  // Valid after parse() returned done, until the next parse() or reset().
  const request_head& head() const noexcept { return head_; }
  // Ready for the next message.
  void reset() noexcept;

 private:
  const parser_config* config_;
  request_head head_;
  std::vector<header_field> fields_;  // capacity reserved at construction
  // Offsets into the message for the fields seen so far (resumable across calls).
  struct field_offsets {
    std::uint32_t name_at, name_len, value_at, value_len;
  };
  std::vector<field_offsets> offsets_;
  std::size_t scanned_ = 0;     // bytes examined and accepted so far
  std::size_t line_start_ = 0;  // start of the line being received
  std::size_t head_start_ = 0;  // after leading empty lines
  int state_ = 0;
};

// RFC 9112 §7.1 chunked transfer coding, decoded incrementally.
class chunked_decoder {
 public:
  explicit chunked_decoder(const parser_config& config);
  struct result {
    parse_result::kind outcome = parse_result::kind::need_more;
    std::size_t consumed = 0;  // bytes of input used by this call (possibly with need_more)
    parse_error error{};
  };
  // Consumes from input (which need not hold the whole body), appends de-chunked data to
  // body, and stops after the last-chunk and trailer section. Trailer fields are checked for
  // syntax and limits and then dropped: framing fields in trailers are never honoured.
  result decode(std::string_view input, std::string& body);
  void reset() noexcept;

 private:
  const parser_config* config_;
  int state_ = 0;
  std::uint64_t chunk_left_ = 0;
  std::uint64_t total_ = 0;
  std::size_t line_len_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::size_t trailer_count_ = 0;
  bool in_quote_ = false;
  bool quote_escape_ = false;
};

}  // namespace teapot::h1
