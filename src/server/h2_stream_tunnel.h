// What carries an HTTP/2 stream once its 2xx has opened a tunnel: a WebSocket (RFC 8441 §5,
// h2_ws_tunnel.h) or a CONNECT's destination (RFC 9113 §8.5, h2_connect_tunnel.h). The stream
// (h2_streams.h) feeds the client's DATA in and pulls the tunnel's bytes out as the client's
// window allows; END_STREAM ends each way.
// Thread contract: the connection's loop thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "h2/response_body.h"

namespace teapot::srv {

class h2_stream_tunnel {
 public:
  virtual ~h2_stream_tunnel() = default;
  // The 2xx is submitted.
  virtual void open() = 0;
  // DATA from the client. Returns how many of the client's bytes (these and earlier ones held
  // back) the stream may consume now.
  virtual std::size_t feed(std::string_view bytes) = 0;
  // The client's END_STREAM: no more input.
  virtual void client_ended() noexcept = 0;
  // The stream's content: bytes as the window allows; ended (END_STREAM) at the tunnel's end.
  virtual h2::pull_result pull(std::span<char> buffer) = 0;
  // Input held back that may be consumed now.
  virtual std::size_t take_releasable() noexcept = 0;
  // A graceful stop of the connection.
  virtual void go_away() = 0;
  // The stream is gone (reset, closed, or the connection).
  virtual void gone() noexcept = 0;
};

}  // namespace teapot::srv
