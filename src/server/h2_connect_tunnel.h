// A CONNECT tunnel on an HTTP/2 stream (RFC 9113 §8.5): after the forward proxy's 200, the
// client's DATA go to the destination's socket and the destination's bytes come back as DATA,
// each way bounded by tunnel_window (the client's window shuts while its bytes wait for the
// destination; the destination is not read while its bytes wait for the client's window).
// END_STREAM is the TCP FIN each way, as §8.5 says; a destination that fails (an error, a
// reset), or a tunnel in which nothing moved for the proxy's tunnel_idle_timeout, resets the
// stream with CONNECT_ERROR.
// Thread contract: the connection's loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "io/timer_wheel.h"
#include "server/h2_stream_tunnel.h"
#include "server/tunnel.h"

namespace teapot::srv {

class worker;

class h2_connect_tunnel final : public h2_stream_tunnel, public tunnel_carrier {
 public:
  // wake: bytes wait for the client, or its input may be consumed (pull again); fail: the
  // destination failed (reset the stream with CONNECT_ERROR). Never called from inside feed()
  // or pull().
  h2_connect_tunnel(worker& w, const std::shared_ptr<tunnel_handoff>& handoff,
                    std::function<void()> wake, std::function<void()> fail);
  ~h2_connect_tunnel() override;
  h2_connect_tunnel(const h2_connect_tunnel&) = delete;
  h2_connect_tunnel& operator=(const h2_connect_tunnel&) = delete;

  void open() override {}
  std::size_t feed(std::string_view bytes) override;
  void client_ended() noexcept override;
  h2::pull_result pull(std::span<char> buffer) override;
  std::size_t take_releasable() noexcept override;
  void go_away() override {}
  void gone() noexcept override;

  // tunnel_carrier
  void on_destination_io(std::uint32_t events) override;

 private:
  void failed();
  void moved();  // bytes went either way: the idle clock starts again

  worker& worker_;
  std::unique_ptr<tunnel> socket_;
  std::function<void()> wake_;
  std::function<void()> fail_;
  std::string from_dest_;  // the destination's bytes for the client, from from_at_ on
  std::size_t from_at_ = 0;
  std::size_t held_ = 0;  // client bytes taken but not yet given back to its window
  bool client_ended_ = false;
  bool failed_ = false;
  std::chrono::milliseconds idle_timeout_;
  io::timer idle_;
};

}  // namespace teapot::srv
