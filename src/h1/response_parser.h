// RFC 9112 response-head parser, for a proxy reading what an upstream server answers. Sans-IO as
// the request parser is: it reads bytes the caller holds, keeps no pointer into them between
// calls (only offsets), and allocates nothing after construction (but for Connection fields that
// name more options than limits.fields).
//
// A proxy drives it so, once per request it forwarded:
//   reset({.head = ..., .connect = ..., .upgrade = ...});
//   parse(bytes received since the head began):
//     need_more  read more and call again with all of them (the buffer may move or grow);
//     interim    a 1xx other than 101: forward head(), drop `consumed` bytes, call again with
//                the rest (RFC 9110 §15.2: any number of them may come before the final one);
//     done       the final head: forward it without its hop-by-hop fields (head().
//                connection_options, http/hop_by_hop.h), then read the body with a
//                response_body_decoder reset from head(), from byte `consumed` on;
//     error      502 (to_status), and close the connection to the upstream server.
// A connection that closes before a head is done is the caller's error to answer alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "h1/response_error.h"
#include "teapot/request.h"

namespace teapot::h1 {

// Defaults as the request side's (teapot::limits).
struct response_limits {
  std::size_t status_line = 8 * 1024;
  std::size_t field_line = 8 * 1024;         // also one trailer field line
  std::size_t header_section = 64 * 1024;    // the field lines; also the trailer section
  std::size_t fields = 100;                  // also the trailer fields
  std::size_t chunk_line = 4 * 1024;         // a chunk size with its extensions
  std::size_t chunk_extensions = 16 * 1024;  // of one body, all its chunks together
};

// What the parser must know of the request a response answers.
struct request_context {
  bool head = false;     // HEAD: no content, whatever the fields say (RFC 9112 §6.3 item 1)
  bool connect = false;  // CONNECT: a 2xx turns the connection into a tunnel (§6.3 item 2)
  bool upgrade = false;  // the request asked to upgrade: only then may 101 come (RFC 9110 §7.8)
};

// How the content of a response is delimited (RFC 9112 §6.3).
enum class response_framing : std::uint8_t {
  none,            // no content: HEAD, 1xx, 204, 304 (item 1)
  tunnel,          // 2xx to CONNECT (item 2), 101 (RFC 9110 §15.2.2): what follows is not HTTP/1.1
  content_length,  // content_length bytes (item 6)
  chunked,         // chunked is the final transfer coding (item 3)
  until_close,     // to the close of the connection (items 3 and 8)
};

// A parsed response head. Views point into the buffer given to the call that returned it, and
// stay valid until the next parse() or reset().
struct response_head {
  int status = 0;  // 100..599
  std::string_view reason;
  int version_minor = 1;  // 0 or 1 (a higher minor of major 1 is taken as 1, RFC 9110 §6.2)
  std::span<const header_field> fields;
  response_framing framing = response_framing::none;
  // A valid Content-Length without Transfer-Encoding, also where it frames nothing (a HEAD's
  // or a 304's length, for the proxy to pass on); identical values in a list count as one.
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  // The connection to the upstream server may carry another request once this response ends
  // (RFC 9112 §9.3): HTTP/1.1 without "close", HTTP/1.0 with "keep-alive", and neither
  // until_close nor tunnel framing nor framing_conflict.
  bool keep_alive = false;
  // Transfer-Encoding and Content-Length both came: Transfer-Encoding frames the body, the
  // Content-Length must not be forwarded, and the connection must not be reused (§6.3 item 3).
  bool framing_conflict = false;
  // A transfer coding other than chunked applies: the body's bytes are still coded with it.
  bool transfer_coded = false;
  // The options of its Connection fields, as sent: the fields the proxy must not forward
  // besides the fixed hop-by-hop ones (RFC 9110 §7.6.1).
  std::span<const std::string_view> connection_options;

  bool is_interim() const noexcept { return status < 200 && status != 101; }
};

struct response_parse_result {
  enum class kind : std::uint8_t { need_more, interim, done, error };
  kind outcome = kind::need_more;
  std::size_t consumed = 0;  // with interim and done: the length of the head through its CRLF
  response_error error{};    // with error
};

class response_parser {
 public:
  explicit response_parser(const response_limits& limits = {});
  // Ready for the response to a new request; forgets any error.
  void reset(const request_context& request = {}) noexcept;
  response_parse_result parse(std::string_view received);
  // Valid after parse() returned interim or done, until the next parse() or reset().
  const response_head& head() const noexcept { return head_; }

 private:
  // One state per grammar position of RFC 9112 §2.1, §4 and §5.
  enum class state : std::uint8_t {
    version,         // "HTTP/" DIGIT "." DIGIT (§2.3), then SP
    code,            // status-code = 3DIGIT
    after_code,      // the SP before the reason phrase, or the CR of a line without one
    reason,          // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    status_line_lf,  // after the CR that ends the status line
    field_start,     // first byte of a field line, or the CR of the empty line
    name,            // field-name = token (§5.1)
    value_ows,       // OWS before the field value
    value,           // field-value and its trailing OWS
    field_lf,        // after the CR that ends a field line
    head_end_lf,     // after the CR of the empty line that ends the head
    interim,         // an interim head was returned: the next call starts another head
    done,
    failed,
  };
  response_parse_result fail(response_error e) noexcept;
  response_parse_result scan(std::string_view in);
  bool status_line_byte(std::string_view in, std::size_t& i, response_error& e) noexcept;
  bool limit_reached(std::size_t at, char c, response_error& e) const noexcept;
  bool finish_head(std::string_view in, response_error& e);
  void start_field_line(std::size_t at) noexcept;
  void restart() noexcept;

  response_limits limits_;
  request_context request_;
  response_head head_;
  std::vector<header_field> fields_;  // capacity reserved at construction
  std::vector<std::string_view> connection_options_;
  struct field_offsets {
    std::uint32_t name_at, name_len, value_at, value_len;
  };
  std::vector<field_offsets> offsets_;
  std::size_t scanned_ = 0;       // bytes examined and accepted so far
  std::size_t line_start_ = 0;    // start of the line being received
  std::size_t fields_start_ = 0;  // first byte after the status line's CRLF
  std::size_t stop_ = 0;          // first offset where a limit may be exceeded
  std::size_t name_len_ = 0;      // of the current field name
  std::size_t value_at_ = 0;
  std::size_t reason_at_ = 0;
  std::size_t reason_len_ = 0;
  std::size_t consumed_ = 0;
  std::uint8_t version_at_ = 0;  // bytes of "HTTP/x.y" seen
  std::uint8_t code_digits_ = 0;
  int minor_ = 0;
  int status_ = 0;
  response_error error_{};
  state state_ = state::version;
};

}  // namespace teapot::h1
