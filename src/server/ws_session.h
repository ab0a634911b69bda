// One WebSocket connection after its 101 (RFC 6455): the client's frames become the route's
// messages (ws::message_reader checks them), and messages sent from any thread become frames.
// The connection that owns this (h1_connection_ws.cpp) moves the bytes and keeps the timers,
// as for HTTP/2.
//
// Closing (RFC 6455 §7): a Close from the client is answered with a Close of the same code and
// the session is over (the server closes the TCP connection first, §7.1.1); close() from the
// route sends a Close and waits for the client's; a frame that breaks the protocol is answered
// with a Close of the code that says why (1002, 1007, 1009) and the session is over.
// Idle (RFC 6455 §5.5.2): with the route's idle_timeout, a client from which no byte has come
// for that long is sent a Ping; one silent as long again is sent a Close 1001 and the session
// is over at once (the peer has shown it does not answer: its Close is not waited for).
// Thread contract: the connection's loop thread; send() and close() from any thread, through
// posts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "io/timer_wheel.h"
#include "server/ws_upgrade.h"
#include "teapot/websocket.h"
#include "ws/deflate.h"
#include "ws/message_reader.h"

namespace teapot::srv {

class worker;

// What the session needs from the connection that carries it.
class ws_carrier {
 public:
  virtual ~ws_carrier() = default;
  // Frames wait (a message sent from a post, a Ping or Close of the idle timer): write them;
  // once is_over(), end. Never called from inside feed().
  virtual void ws_output_ready() = 0;
};

class ws_session final : public websocket, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(worker& w, ws_carrier& carrier, std::shared_ptr<ws_upgrade> upgrade);
  ~ws_session() override;
  ws_session(const ws_session&) = delete;
  ws_session& operator=(const ws_session&) = delete;

  // The 101 is out: the route's on_open.
  void open();
  // Bytes from the client, every one taken (unmasked in place).
  void feed(std::span<char> bytes);
  // Appends the frames waiting to out.
  void take_output(std::string& out);
  bool wants_write() const noexcept { return !out_.empty(); }
  // Nothing more will be read or sent: the connection ends once its output is written.
  bool is_over() const noexcept { return over_; }
  // A Close was sent and the client's is awaited.
  bool is_closing() const noexcept { return close_sent_ && !over_; }
  // The output has all been written (for on_drain).
  void output_drained();
  // A graceful stop: Close 1001 (going away, RFC 6455 §7.4.1).
  void go_away();
  // The connection is gone: on_close (1006 unless a Close was seen), and sends do nothing.
  void gone() noexcept;

  // websocket
  bool send(std::string_view data, message_kind kind) override;
  void close(std::uint16_t code, std::string_view reason) override;
  std::size_t buffered_amount() const noexcept override {
    return buffered_.load(std::memory_order_relaxed);
  }
  std::string_view subprotocol() const noexcept override { return upgrade_->subprotocol; }
  std::string_view target() const noexcept override { return upgrade_->target; }

 private:
  void queue_message(std::string_view data, message_kind kind);
  void queue_close(std::uint16_t code, std::string_view reason);
  void finish(std::uint16_t code, std::string_view reason);
  void on_loop(std::function<void(ws_session&)> fn);
  void arm_idle(std::chrono::milliseconds delay) noexcept;
  void on_idle_timer();

  worker& worker_;
  ws_carrier* carrier_;  // null once the connection is gone
  std::shared_ptr<ws_upgrade> upgrade_;
  const websocket_handlers& handlers_;
  ws::message_reader reader_;
  std::unique_ptr<ws::message_deflater> deflater_;
  std::string message_;  // the message being received, its pieces joined
  message_kind message_kind_ = message_kind::text;
  std::string out_;      // frames not yet taken by the connection
  std::string scratch_;  // a compressed message
  std::atomic<std::size_t> buffered_{0};
  // Cleared when the connection is gone: a send from another thread then touches nothing of
  // the worker, which may be gone too.
  std::atomic<bool> live_{true};
  int in_feed_ = 0;
  bool close_sent_ = false;
  bool over_ = false;
  bool closed_told_ = false;  // on_close has run
  bool drain_wanted_ = false;
  // The idle timer: armed from open() while the session lasts, checked lazily (input moves
  // last_input_ms_, not the timer).
  io::timer idle_timer_;
  std::int64_t last_input_ms_ = 0;
  bool ping_out_ = false;  // sent by the idle timer, no byte from the client since
};

}  // namespace teapot::srv
