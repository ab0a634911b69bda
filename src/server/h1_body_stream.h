// The body_reader of a request whose route streams its content (route_options::stream_body):
// the delivery state that the HTTP/1.1 transport drives. The transport decides what is read
// and when; this holds the handler's callbacks, the hold, and the way back from resume().
// Thread contract: the connection's loop thread, but for resume().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "teapot/body_reader.h"

namespace teapot::srv {

class h1_connection;
class worker;

// Reaches a connection from a post that may run after it has closed: loop thread only.
struct connection_token {
  h1_connection* conn = nullptr;
};

class h1_body_stream final : public body_reader {
 public:
  // body_reader
  void read(callbacks cb) override;
  void resume() override;

  // Transport side.
  void begin(worker& w, std::shared_ptr<connection_token> token) noexcept;
  // Drops the callbacks (and what they hold): the delivery is over.
  void stop() noexcept;
  bool is_active() const noexcept { return active_; }
  // Content may be delivered now: read() was called and nothing is held.
  bool can_deliver() const noexcept { return active_ && reading_ && !held_; }
  bool is_delivering() const noexcept { return delivering_; }

  // Calls on_data; true when the handler is done with the piece, false when it holds it.
  bool deliver(std::string_view piece);
  void deliver_end(std::span<const header_field> trailers);
  void fail(body_error e);
  // After a hold ends: what was held, and whether the content was complete with it.
  void end_hold() noexcept { held_ = false; }
  void note_held(std::size_t consumed_later, bool complete) noexcept {
    held_consumed_ = consumed_later;
    held_complete_ = complete;
  }
  std::size_t held_consumed() const noexcept { return held_consumed_; }
  bool held_complete() const noexcept { return held_complete_; }

  std::uint64_t received = 0;    // de-chunked bytes delivered (for the limit)
  bool expect_continue = false;  // a 100 is owed when reading begins
  bool response_ready = false;   // the handler sent its response during a callback

 private:
  worker* worker_ = nullptr;
  std::shared_ptr<connection_token> token_;
  callbacks cb_;
  std::size_t held_consumed_ = 0;
  bool held_complete_ = false;
  bool active_ = false;
  bool reading_ = false;
  bool held_ = false;
  bool delivering_ = false;
};

}  // namespace teapot::srv
