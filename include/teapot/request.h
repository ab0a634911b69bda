// A request as a handler sees it: views into the connection's buffer.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace teapot {

struct header_field {
  std::string_view name{};   // as the client spelled it
  std::string_view value{};  // without leading and trailing whitespace
};

class body_reader;

struct path_param {
  std::string_view name{};
  std::string_view value{};
};

// Every view is valid until the handler's response is sent (for a deferred response, until
// deferred_response::send()), and no longer: copy what must outlive the exchange.
struct request {
  std::string_view method{};
  std::string_view target{};  // the request-target as received
  std::string_view path{};    // percent-decoded once, dot-segments removed, never escaping "/"
  std::string_view query{};   // after '?', as received (not decoded); empty when absent. It may
                              // hold bytes browsers leave unencoded: '|', '{', '"', a lone '%'
  int version_minor = 1;      // HTTP/1.<minor>: 0 or 1
  int version_major = 1;      // 2 on a stream of an HTTP/2 connection (version_minor is then 1)
  // HTTP/2's :protocol on an extended CONNECT (RFC 8441 §4: "websocket" opens a WebSocket on
  // the stream); empty on any other request. Such a CONNECT has a path, as a GET has.
  std::string_view protocol{};
  std::span<const header_field> headers{};
  std::string_view body{};  // the whole content, de-chunked (empty with stream_body)
  std::span<const header_field> trailers{};  // of chunked content (RFC 9112 §7.1.2), as received
  // The content as it arrives, on routes with route_options::stream_body; else null.
  body_reader* body_stream = nullptr;
  std::span<const path_param> params{};  // filled by the router from "{name}" segments
  std::string_view remote_address{};     // "127.0.0.1:54321" or "[::1]:54321"
  // Some of the request came as TLS 1.3 early data (0-RTT), which an attacker can replay
  // (RFC 8470): only routes that allow it see such a request (route_options::early_data).
  // header("Early-Data") then answers "1", as an intermediary would have told (RFC 8470 §5.1).
  bool early_data = false;
  // The request came over TLS (https).
  bool secure = false;

  // The first field of that name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const noexcept;
  // The router parameter of that name, or an empty view.
  std::string_view param(std::string_view name) const noexcept;
  bool is_head() const noexcept { return method == "HEAD"; }
};

}  // namespace teapot
