// The content of a response that comes from a body_source, framed for HTTP/1.1 (Content-Length,
// chunked with trailers, or close-delimited for HTTP/1.0) and pulled into the connection's
// output as it drains. The connection decides when to pump (the output has room) and what to do
// when the stream waits, ends or fails; this owns the source and the framing.
// Thread contract: the connection's loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "teapot/body_source.h"

namespace teapot::srv {

class h1_response_stream {
 public:
  enum class framing : std::uint8_t { length, chunked, close_delimited };
  enum class step : std::uint8_t {
    room,    // the budget is spent: flush, then pump again
    wait,    // the source has nothing now: pump again after its wake
    ended,   // the content is complete, its framing closed
    failed,  // the content cannot be completed: the connection must close
  };

  void begin(std::shared_ptr<body_source> source, framing f, std::uint64_t length,
             std::function<void()> waker);
  // Appends content to out, up to about budget bytes.
  step pump(std::string& out, std::size_t budget);
  // Ends a stream that will not complete (the connection closes): the source is told.
  void cancel() noexcept;
  bool is_active() const noexcept { return source_ != nullptr; }
  bool is_waiting() const noexcept { return waiting_; }
  // A wake arrived: the next pump pulls again.
  void woken() noexcept { waiting_ = false; }
  // Content bytes written so far (without the chunked framing).
  std::uint64_t sent() const noexcept { return sent_; }

 private:
  void append_end(std::string& out);
  void drop() noexcept;

  std::shared_ptr<body_source> source_;
  std::uint64_t left_ = 0;  // with framing::length
  std::uint64_t sent_ = 0;
  framing framing_ = framing::length;
  bool waiting_ = false;
};

}  // namespace teapot::srv
