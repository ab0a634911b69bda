// One TCP connection to a forward proxy's destination, made on the worker's loop without
// blocking it: a non-blocking connect() to one resolved address, within a timeout. Its end is
// told once, on the loop: connected (the socket is the caller's, no longer registered with the
// loop), refused (502, with the system's reason) or timed out (504).
// Thread contract: the worker's loop thread.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "io/event_loop.h"
#include "io/timer_wheel.h"

namespace teapot::srv {

class destination_connect final : public io::fd_handler,
                                  public std::enable_shared_from_this<destination_connect> {
 public:
  enum class outcome : std::uint8_t { connected, refused, timed_out };
  // fd is the connected socket with outcome::connected, else -1; why says what failed.
  using on_done = std::function<void(outcome, int fd, std::string_view why)>;

  destination_connect(io::event_loop& loop, std::chrono::milliseconds timeout, on_done done);
  ~destination_connect() override;
  destination_connect(const destination_connect&) = delete;
  destination_connect& operator=(const destination_connect&) = delete;

  // Begins; done may be called before this returns (a refusal the kernel knows at once).
  void start(const sockaddr_storage& addr, socklen_t len);
  void on_io(std::uint32_t events) override;

 private:
  void finish(outcome o, std::string_view why);

  io::event_loop& loop_;
  std::chrono::milliseconds timeout_;
  on_done done_;
  int fd_ = -1;
  io::timer timer_;
  // Itself, while its socket is registered with the loop.
  std::shared_ptr<destination_connect> self_;
};

}  // namespace teapot::srv
