// A CONNECT tunnel (RFC 9110 §9.3.6) once its 200 is written, or a protocol switched to by
// an upstream's 101 through the reverse proxy (RFC 9110 §7.8): the destination's side of it.
// The connection that carries the tunnel (h1_connection_tunnel.cpp) moves the bytes: the
// client's into to_dest, written to the destination; the destination's into the connection's
// own output queue. Each way is bounded: past tunnel_window waiting, the side that fills it is
// not read until the other has taken some, so a slow reader slows its writer (TCP's own
// backpressure, carried across).
// Thread contract: the connection's loop thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "io/event_loop.h"

namespace teapot::srv {

// Bytes waiting in either way past which the side that sends them is no longer read.
inline constexpr std::size_t tunnel_window = 256 * 1024;

// The connected socket to a CONNECT's destination (or an upstream that switched protocols),
// carried by the 200 from the forward proxy (or the 101 from the reverse proxy) to the
// connection. Closed here unless taken (the client left before the 200 went out).
struct tunnel_handoff {
  tunnel_handoff(int socket, std::chrono::milliseconds idle) noexcept
      : fd(socket), idle_timeout(idle) {}
  ~tunnel_handoff();
  tunnel_handoff(const tunnel_handoff&) = delete;
  tunnel_handoff& operator=(const tunnel_handoff&) = delete;
  int take() noexcept {
    const int out = fd;
    fd = -1;
    return out;
  }

  int fd;
  std::chrono::milliseconds idle_timeout;  // forward_proxy_options::tunnel_idle_timeout
  // Bytes the destination sent that were read with the answer that opened the tunnel (an
  // upstream's first WebSocket frames behind its 101): the client's first.
  std::string from_destination{};
};

// What the tunnel needs from the connection that carries it.
class tunnel_carrier {
 public:
  virtual ~tunnel_carrier() = default;
  // Readiness of the destination's socket (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR).
  virtual void on_destination_io(std::uint32_t events) = 0;
};

class tunnel final : public io::fd_handler {
 public:
  // Registers fd (connected, non-blocking) with loop; closes it when destroyed (or when the
  // registration throws std::system_error).
  tunnel(io::event_loop& loop, int fd, tunnel_carrier& carrier,
         std::chrono::milliseconds idle_timeout);
  ~tunnel() override;
  tunnel(const tunnel&) = delete;
  tunnel& operator=(const tunnel&) = delete;

  void on_io(std::uint32_t events) override { carrier_.on_destination_io(events); }

  enum class io_result : std::uint8_t { moved, blocked, ended, failed };
  // Writes what waits in to_dest; blocked when the socket is full.
  io_result write_pending();
  // Reads from the destination onto the end of out, up to room bytes; ended at its EOF.
  io_result read_into(std::string& out, std::size_t room);
  // The client has sent all it will: the destination sees our FIN once to_dest is written.
  void shut_write() noexcept;
  // Unregisters and closes the socket now (the connection is closing).
  void close() noexcept;

  std::chrono::milliseconds idle_timeout() const noexcept { return idle_timeout_; }
  std::size_t pending() const noexcept { return to_dest.size() - to_dest_at; }

  std::string to_dest;  // the client's bytes for the destination, from to_dest_at on
  std::size_t to_dest_at = 0;
  bool dest_readable = true;    // no EAGAIN from the destination since its last EPOLLIN edge
  bool client_readable = true;  // the same for the client
  bool dest_eof = false;        // the destination has sent all it will
  bool dest_shut = false;       // our FIN has gone to the destination
  bool client_eof = false;      // the client has sent all it will
  bool client_shut = false;     // our FIN (close_notify) has gone to the client
  std::uint64_t to_client_bytes = 0;
  std::uint64_t to_dest_bytes = 0;

 private:
  io::event_loop& loop_;
  int fd_;
  tunnel_carrier& carrier_;
  std::chrono::milliseconds idle_timeout_;
};

}  // namespace teapot::srv
