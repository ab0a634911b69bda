// What a session tells its owner (the transport that drives it), stream by stream. The owner
// implements session_events; the session calls it from inside feed(), take_output() and
// upgrade_from_h1(), on the owner's thread. An event may call the session back (submit a
// response, consume, reset) but not feed() or take_output(), and must not throw.
//
// A stream's events, in order: on_request or on_request_rejected (once); then on_data (any
// number), on_trailers (at most once) and on_end_stream (once, when the client's side ends
// after the head) for an accepted request; on_stream_reset when the client resets it; and
// on_stream_closed, always last. A stream the owner never heard of (a malformed request, a
// refused one) gets no event at all.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "h2/error_code.h"
#include "h2/request_error.h"
#include "teapot/request.h"

namespace teapot::h2 {

using stream_id = std::int32_t;

// A request head (RFC 9113 §8.3.1). Views into the session's storage for the stream, valid
// until its on_stream_closed returns.
struct request_head {
  std::string_view method{};
  std::string_view scheme{};     // empty for CONNECT (§8.5)
  std::string_view authority{};  // :authority, or the host field when the client sent none
  std::string_view path{};       // empty for CONNECT, unless it is an extended one
  // :protocol of an extended CONNECT (RFC 8441 §4), such as "websocket"; empty on any other
  // request (nghttp2 has checked that it comes only with CONNECT, :scheme and :path).
  std::string_view protocol{};
  // The regular fields in the order received, names lower-case (§8.2.1 makes uppercase
  // malformed), cookie crumbs (§8.2.3) as separate fields.
  std::span<const header_field> fields{};
  bool ends_stream = false;  // END_STREAM on the head: the request has no content
  std::optional<std::uint64_t> content_length{};
};

class session_events {
 public:
  virtual ~session_events() = default;

  virtual void on_request(stream_id id, const request_head& head) = 0;
  // The head passed a limit: the owner answers to_status(why) on the stream (414 or 431).
  // partial holds what was kept before the limit (the pseudo-headers, usually). The stream's
  // content, if any, is dropped by the session and never reaches on_data.
  virtual void on_request_rejected(stream_id id, request_error why,
                                   const request_head& partial) = 0;
  // Content as it arrives, after nghttp2 has checked flow control and content-length. A view
  // into the bytes given to feed(), valid during the call. The client's window reopens only as
  // the owner calls session::consume() for these bytes.
  virtual void on_data(stream_id id, std::string_view bytes) = 0;
  // Views valid until on_stream_closed; names lower-case, no pseudo-headers (§8.1).
  virtual void on_trailers(stream_id id, std::span<const header_field> fields) = 0;
  virtual void on_end_stream(stream_id id) = 0;
  // The client sent RST_STREAM: it wants nothing more on this stream (§6.4).
  virtual void on_stream_reset(stream_id id, error_code code) = 0;
  // The stream is gone: the session forgets it once this returns, and calls for it fail. code
  // is NO_ERROR after a complete exchange, else the code of the reset either side sent.
  virtual void on_stream_closed(stream_id id, error_code code) = 0;
};

}  // namespace teapot::h2
