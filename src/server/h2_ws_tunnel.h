// A WebSocket on an HTTP/2 stream (RFC 8441 §5): after the 200 to an extended CONNECT, the
// stream's DATA frames carry the WebSocket's frames both ways, through the same ws_session as
// on an HTTP/1.1 connection after its 101. The stream (h2_streams.h) feeds the client's DATA in
// and pulls the session's frames out as the client's flow-control window allows; END_STREAM is
// the TCP FIN of RFC 6455 and RST_STREAM its RST.
//
// Flow control (RFC 9113 §6.9): the client's bytes are given back to its window as the session
// takes them, except while more than a window of frames waits to go out (a client that sends
// without reading the answers): then they are held back until the frames have gone, and the
// client's window shuts.
// Thread contract: the connection's loop thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "h2/response_body.h"
#include "server/h2_stream_tunnel.h"
#include "server/ws_session.h"
#include "server/ws_upgrade.h"

namespace teapot::srv {

class worker;

class h2_ws_tunnel final : public h2_stream_tunnel, public ws_carrier {
 public:
  // wake: frames wait in the session; the stream's content is to be pulled again (called from
  // the loop, never from inside feed()).
  h2_ws_tunnel(worker& w, std::shared_ptr<ws_upgrade> upgrade, std::function<void()> wake);
  ~h2_ws_tunnel() override;
  h2_ws_tunnel(const h2_ws_tunnel&) = delete;
  h2_ws_tunnel& operator=(const h2_ws_tunnel&) = delete;

  // The 200 is submitted: the route's on_open.
  void open() override;
  // DATA from the client. Returns how many of the client's bytes (these and earlier ones held
  // back) the stream may consume now.
  std::size_t feed(std::string_view bytes) override;
  // The client's END_STREAM: no more input. Without its Close first, the route hears 1006
  // (RFC 6455 §7.1.5) and the stream ends once the frames waiting have gone.
  void client_ended() noexcept override;
  // The stream's content source: frames as the window allows; ended (END_STREAM) once the
  // session is over and its last frame is out.
  h2::pull_result pull(std::span<char> buffer) override;
  // Input held back that may be consumed now that the frames waiting have gone.
  std::size_t take_releasable() noexcept override;
  // A graceful stop: Close 1001.
  void go_away() override;
  // The stream is gone (reset, closed, or the connection): on_close 1006 unless a Close was seen.
  void gone() noexcept override;
  std::string_view target() const noexcept { return session_->target(); }

  // ws_carrier
  void ws_output_ready() override { wake_(); }

 private:
  std::size_t backlog() const noexcept { return out_.size() - out_at_; }
  void compact() noexcept;

  std::shared_ptr<ws_session> session_;
  std::function<void()> wake_;
  std::string in_;   // the client's bytes, copied to be unmasked in place
  std::string out_;  // frames taken from the session, not yet pulled
  std::size_t out_at_ = 0;
  std::size_t held_ = 0;  // client bytes not yet given back to its window
  bool client_ended_ = false;
};

}  // namespace teapot::srv
