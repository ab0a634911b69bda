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
#include "teapot/limits.h"
#include "teapot/request.h"

namespace teapot::h1 {

// The codec's share of teapot::limits. Made without them, it holds their defaults, so that a
// parser made without a server parses as a server would.
struct parser_limits {
  parser_limits() : parser_limits(teapot::limits{}) {}
  explicit parser_limits(const teapot::limits& l) noexcept
      : request_line(l.request_line),
        field_line(l.field_line),
        header_section(l.header_section),
        fields(l.fields),
        body(l.body),
        chunk_line(l.chunk_line),
        chunk_extensions(l.chunk_extensions) {}

  std::size_t request_line;
  std::size_t field_line;
  std::size_t header_section;
  std::size_t fields;
  std::uint64_t body;
  std::size_t chunk_line;
  std::size_t chunk_extensions;  // of one message, all its chunks together
};

struct parser_config {
  parser_limits limits;
  // Methods the server implements (case-sensitive). Any other token: unknown_method (501).
  std::vector<std::string> methods{"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
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
  // Where the scan stands; one state per grammar position of RFC 9112 §2.1, §3 and §5.
  enum class state : std::uint8_t {
    leading,          // before the request line: empty lines are skipped (§2.2)
    leading_lf,       // after a CR of a leading empty line
    method,           // method = token (§3.1)
    target,           // request-target (§3.2)
    version,          // "HTTP/" DIGIT "." DIGIT (§2.3)
    request_line_lf,  // after the CR that ends the request line
    field_start,      // first byte of a field line, or the CR of the empty line
    name,             // field-name = token (§5.1)
    value_ows,        // OWS before the field value
    value,            // field-value and its trailing OWS
    field_lf,         // after the CR that ends a field line
    head_end_lf,      // after the CR of the empty line that ends the head
    done,
    failed,
  };
  parse_result fail(parse_error e) noexcept;
  parse_result scan(std::string_view in);
  // Returns the error a byte at or past stop_ causes, if any.
  bool limit_reached(std::size_t at, char c, parse_error& e) const noexcept;
  bool check_request_line(std::string_view in, parse_error& e) const noexcept;
  bool finish_head(std::string_view in, parse_error& e) noexcept;
  void start_field_line(std::size_t at) noexcept;

  const parser_config* config_;
  request_head head_;
  std::vector<header_field> fields_;  // capacity reserved at construction
  // Offsets into the message for the fields seen so far (resumable across calls).
  struct field_offsets {
    std::uint32_t name_at, name_len, value_at, value_len;
  };
  std::vector<field_offsets> offsets_;
  std::size_t scanned_ = 0;       // bytes examined and accepted so far
  std::size_t line_start_ = 0;    // start of the line being received
  std::size_t head_start_ = 0;    // after leading empty lines
  std::size_t fields_start_ = 0;  // first byte after the request line's CRLF
  std::size_t stop_ = 0;          // first offset where a limit may be exceeded
  std::size_t method_len_ = 0;
  std::size_t name_len_ = 0;  // of the current field name
  std::size_t target_at_ = 0;
  std::size_t target_len_ = 0;
  std::size_t value_at_ = 0;
  std::size_t consumed_ = 0;
  std::uint8_t version_at_ = 0;  // bytes of "HTTP/x.y" seen
  std::uint8_t pct_left_ = 0;    // HEXDIGs still owed to a '%' in the target
  bool in_query_ = false;        // a '?' has been seen in the target
  int major_ = 0;
  int minor_ = 0;
  parse_error error_{};
  state state_ = state::leading;
};

// RFC 9112 §7.1 chunked transfer coding, decoded incrementally. Requests and responses alike:
// it reads only the limits, never the methods, of a parser_config.
class chunked_decoder {
 public:
  explicit chunked_decoder(const parser_config& config) : chunked_decoder(config.limits) {}
  // Uses body, chunk_line, chunk_extensions, and the header section's limits for trailers.
  explicit chunked_decoder(const parser_limits& limits);
  struct result {
    parse_result::kind outcome = parse_result::kind::need_more;
    std::size_t consumed = 0;  // bytes of input used by this call (possibly with need_more)
    parse_error error{};
  };
  // Consumes from input (which need not hold the whole body), appends de-chunked data to
  // body, and stops after the last-chunk and trailer section. Trailer fields are checked for
  // syntax and limits (those of the header section) and kept apart for trailers(): they are
  // never merged into the head, so framing fields in trailers are never honoured.
  result decode(std::string_view input, std::string& body);
  // decode() without the copy: consumes input up to and including the next run of chunk data
  // and sets data to that run (a view into input), then returns need_more with consumed
  // below input.size() when input holds more; call again with the rest. Without data in
  // input, it behaves as decode(). A run never spans two chunks.
  result decode_piece(std::string_view input, std::string_view& data);
  // Ready for another message, whose de-chunked content may not pass body_limit (the limit of
  // its path, when that is below the configured one): a chunk size that would pass it is
  // refused (content_too_large) as soon as its line ends, before any of its data is awaited.
  void reset(std::uint64_t body_limit = ~std::uint64_t{0}) noexcept;
  // The trailer fields, once decode() returned done: views into the decoder, valid until the
  // next reset(). Values without their surrounding whitespace.
  std::span<const header_field> trailers() const noexcept { return trailers_; }

 private:
  // One state per position in the grammar of RFC 9112 §7.1:
  //   chunked-body = *chunk last-chunk trailer-section CRLF
  //   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
  //   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  enum class state : std::uint8_t {
    size_first,         // first HEXDIG of chunk-size
    size,               // further HEXDIGs
    size_ws,            // BWS after the size: only ';' may follow
    ext_before_name,    // after ';' (BWS allowed)
    ext_name,           // chunk-ext-name = token
    ext_after_name_ws,  // BWS after a name: '=' or ';' must follow
    ext_before_value,   // after '=' (BWS allowed)
    ext_token_value,    // chunk-ext-val = token
    ext_quoted,         // chunk-ext-val = quoted-string
    ext_quoted_pair,    // after a backslash inside the quoted string
    ext_after_quote,    // after the closing quote
    ext_ws,             // BWS after a value: only ';' may follow
    size_lf,            // after the CR of the size line
    data,               // chunk-data
    data_cr,            // the CR after chunk-data
    data_lf,            // the LF after chunk-data
    trailer_start,      // a trailer field line, or the final CRLF
    trailer_name,       // field-name
    trailer_value,      // ':' OWS field-value OWS
    trailer_lf,         // after the CR of a trailer field line
    final_lf,           // after the CR of the final empty line
    done,
    failed,
  };
  result fail(parse_error e, std::size_t consumed) noexcept;
  // Handles one byte of a size line (size and extensions); false when it is invalid.
  bool size_line_byte(char c, parse_error& e) noexcept;
  bool ext_byte(char c) noexcept;
  bool trailer_byte(char c, parse_error& e) noexcept;
  bool end_size_line(parse_error& e) noexcept;

  parser_limits limits_;
  state state_ = state::size_first;
  parse_error error_{};
  std::uint64_t chunk_left_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t body_limit_ = 0;
  std::size_t line_len_ = 0;
  std::size_t ext_bytes_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::size_t trailer_count_ = 0;
  std::string trailer_text_;  // the trailer field lines as received, CRLFs included
  std::vector<header_field> trailers_;
  void index_trailers();
};

}  // namespace teapot::h1
