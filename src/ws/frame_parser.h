// RFC 6455 §5.2 frame parser. Sans-IO: it reads bytes the caller holds and keeps no pointer into
// them between calls; it allocates nothing.
//
// Frames arrive as a header event, then one or more payload events, the last with frame_end
// (a frame of no payload gives one empty payload event). The caller passes, on every call, the
// bytes received and not yet consumed; they may arrive one at a time, and the parser takes what
// it needs of them (consumed) and reports one event per call. Payload bytes are unmasked in
// place, in the caller's buffer, so that the payload event's view holds the application's bytes.
//
// Frame rules are checked here; message rules (fragments, UTF-8, the message size) are the
// message_reader's, above it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ws/frame.h"
#include "ws/receive_error.h"

namespace teapot::ws {

struct parser_config {
  role local = role::server;  // a server requires masked frames, a client unmasked ones
  bool rsv1_allowed = false;  // an extension that defines RSV1 was negotiated (permessage-deflate)
};

struct frame_event {
  enum class kind : std::uint8_t {
    need_more,  // every byte given was consumed; nothing to report yet
    header,     // a frame header is complete: header() describes it
    payload,    // payload bytes of the current frame, unmasked
    failed,     // the frame breaks RFC 6455: fail the connection with to_close_code(error)
  };
  kind what = kind::need_more;
  std::size_t consumed = 0;  // bytes of the input this call used
  std::string_view payload;  // with payload: a view into the caller's buffer
  bool frame_end = false;    // with payload: the frame's last payload bytes
  receive_error error{};     // with failed
};

class frame_parser {
 public:
  explicit frame_parser(const parser_config& config = {}) noexcept : config_(config) {}

  frame_event parse(std::span<char> in) noexcept;
  // The current frame's header: valid from the header event until the next one.
  const frame_header& header() const noexcept { return header_; }
  // Payload bytes of the current frame still to come.
  std::uint64_t payload_left() const noexcept { return left_; }
  // Ready for a new stream of frames (after a failure, too).
  void reset() noexcept;

 private:
  enum class state : std::uint8_t { header, payload, failed };
  frame_event fail(receive_error e, std::size_t consumed) noexcept;
  frame_event parse_header(std::span<char> in) noexcept;
  frame_event parse_payload(std::span<char> in) noexcept;
  bool check_first_byte(receive_error& e) noexcept;
  bool check_second_byte(receive_error& e) noexcept;
  bool finish_header(receive_error& e) noexcept;

  parser_config config_;
  frame_header header_{};
  std::array<std::uint8_t, max_header_size> bytes_{};  // the header received so far
  std::uint8_t have_ = 0;                              // bytes_ filled
  std::uint8_t need_ = 2;                              // the header's size, once known
  std::uint64_t left_ = 0;                             // payload still to come
  std::uint64_t offset_ = 0;                           // payload already given (mask phase)
  state state_ = state::header;
  receive_error error_{};
};

}  // namespace teapot::ws
