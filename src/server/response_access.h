// The server's side of the public response types: the channel a response reaches its exchange
// through, the link behind a deferred response, and the operations on a response that only the
// server performs. Kept out of include/teapot/ so that an embedding program never sees them.
// Thread contract: as each member says.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "teapot/body_source.h"
#include "teapot/body_writer.h"
#include "teapot/response.h"

namespace teapot::srv {

// What a response needs from the exchange that carries it.
class exchange_channel {
 public:
  virtual ~exchange_channel() = default;
  // Writes a 1xx response now, ahead of the final one. False when the client cannot take it
  // (HTTP/1.0) or the connection is gone.
  virtual bool send_interim(
      http::status code, std::span<const std::pair<std::string_view, std::string_view>> fields) = 0;
  // Takes res out of the synchronous flow (see response::defer).
  virtual deferred_response make_deferred(response& res) = 0;
};

// What ties a deferred response to its exchange, which may end first (the client leaves).
// Every member may be called from any thread.
class deferral_link {
 public:
  virtual ~deferral_link() = default;
  virtual void send() = 0;
  virtual void post(std::function<void()> fn) = 0;
  virtual void run_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  virtual void run_blocking(std::function<void()> work, std::function<void()> then) = 0;
  virtual bool is_open() const noexcept = 0;
  // A policy step's wait ends with "next" (pending_verdict::next); send() ends it answered.
  virtual void pass() = 0;
};

struct response_access {
  // Readies res for the next exchange, on channel (null: none, as in a test).
  static void reset(response& res, exchange_channel* channel) noexcept { res.reset(channel); }
  // Hands the file descriptor over (-1 when there is none); with a keeper, the caller holds
  // keeper instead of closing the descriptor.
  static int take_file(response& res, std::shared_ptr<const void>& keeper) noexcept {
    return res.take_file(keeper);
  }
  // Takes the source over (null when there is none): the caller pulls it or cancels it.
  static std::shared_ptr<body_source> take_source(response& res) noexcept {
    return res.take_source();
  }
  // Narrows the content to [first, first + length) (a single byte range).
  static void set_content_window(response& res, std::uint64_t first, std::uint64_t length) {
    res.set_content_window(first, length);
  }
  static deferred_response make_deferred(std::shared_ptr<response> res,
                                         std::shared_ptr<deferral_link> link) {
    return deferred_response(std::move(res), std::move(link));
  }
  static body_writer make_writer(std::shared_ptr<body_writer_state> state) {
    return body_writer(std::move(state));
  }
  // The protocol a 101 switches the connection to (null: none).
  static void set_upgrade(response& res, std::shared_ptr<ws_upgrade> u) noexcept {
    res.upgrade_ = std::move(u);
  }
  static const std::shared_ptr<ws_upgrade>& upgrade(const response& res) noexcept {
    return res.upgrade_;
  }
  static std::shared_ptr<ws_upgrade> take_upgrade(response& res) noexcept {
    return std::move(res.upgrade_);
  }
  // The tunnel a 200 to CONNECT opens (null: none).
  static void set_tunnel(response& res, std::shared_ptr<tunnel_handoff> t) noexcept {
    res.tunnel_ = std::move(t);
  }
  static const std::shared_ptr<tunnel_handoff>& tunnel(const response& res) noexcept {
    return res.tunnel_;
  }
  static std::shared_ptr<tunnel_handoff> take_tunnel(response& res) noexcept {
    return std::move(res.tunnel_);
  }
  // How source.wake() reaches the connection; an empty function detaches.
  static void set_waker(body_source& source, std::function<void()> waker) {
    source.set_waker(std::move(waker));
  }
};

}  // namespace teapot::srv
