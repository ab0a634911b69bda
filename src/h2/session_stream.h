// What a session keeps for one stream, from its HEADERS to its close. Internal to h2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "h2/header_block.h"
#include "h2/response_body.h"
#include "h2/response_fields.h"
#include "h2/session.h"

namespace teapot::h2 {

struct session::stream {
  explicit stream(const head_limits& limits) : head(limits) {}

  header_block head;
  std::optional<header_block> trailers{};  // while and after the client's trailers arrive
  bool announced = false;                  // the owner heard of it: it gets on_stream_closed
  bool rejected = false;    // announced by on_request_rejected: its content is dropped
  bool answered = false;    // a final response was submitted
  bool body_ended = false;  // the response content's end was handed to nghttp2
  // Content given by on_data that the owner has not consumed yet: the connection's share is
  // consumed when the stream closes, so that a stream reset with unread bytes does not shrink
  // the connection's window for good.
  std::uint64_t unconsumed = 0;
  response_body body{};
  std::size_t body_sent = 0;                        // of a std::string body
  std::unique_ptr<response_fields> trailers_out{};  // submitted, sent after the content
};

}  // namespace teapot::h2
