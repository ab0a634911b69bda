// WebSocket messages from received bytes (RFC 6455 §5.4-§5.6, §8.1; RFC 7692 §6-§7): the
// frame_parser below it, and above it the message rules: fragments in order, control frames
// between them, text that is UTF-8 across fragments, the size limit, the Close frame's code and
// reason, permessage-deflate's inflation. Sans-IO and streaming: a message is given in pieces as
// its bytes arrive, never held whole, and a failure is reported at the first byte that proves it.
//
// Driving it from a connection, bytes in a mutable buffer:
//   for (;;) {
//     message_event ev = reader.read(buffer);   // unmasks buffer in place
//     buffer = buffer.subspan(ev.consumed);
//     switch (ev.what) {
//       case need_more: (read more bytes; keep the unconsumed ones) ...
//       case data:   give ev.payload to the application (first/last mark the message) ...
//       case ping:   send append_pong(ev.payload) ...
//       case pong:   ...
//       case close:  send append_close(ev.code) back (unless this end closed first), then
//                    close the TCP connection once it is written ...
//       case failed: send append_close(to_close_code(ev.error), describe(ev.error)), close ...
//     }
//   }
// Allocation: none per frame; with permessage-deflate, two buffers of inflate_buffer bytes and
// zlib's state, once, at the first compressed message. One reader per connection; not
// thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "ws/deflate.h"
#include "ws/deflate_negotiation.h"
#include "ws/frame.h"
#include "ws/frame_parser.h"
#include "ws/receive_error.h"
#include "ws/utf8_validator.h"

namespace teapot::ws {

struct reader_config {
  role local = role::server;
  // 1009 past it: the bytes of one message as the application gets them (inflated). A message
  // whose frames announce more fails at the header that passes it, before its payload arrives.
  std::uint64_t max_message = 16 * 1024 * 1024;
  // permessage-deflate as negotiated by the handshake; nullopt: no extension, RSV1 refused.
  std::optional<deflate_params> deflate;
  // With permessage-deflate: the most inflated bytes one data event gives (at least 64).
  std::size_t inflate_buffer = 16 * 1024;
};

struct message_event {
  enum class kind : std::uint8_t {
    need_more,  // every byte given was consumed (or kept by the reader); nothing to report
    data,       // a piece of a text or binary message
    ping,       // a Ping frame: answer it with a Pong of the same payload (§5.5.2)
    pong,       // a Pong frame
    close,      // a valid Close frame; the reader reads nothing more
    failed,     // fail the connection with to_close_code(error); the reader reads nothing more
  };
  kind what = kind::need_more;
  std::size_t consumed = 0;    // bytes of the input this call used
  opcode type = opcode::text;  // with data: text or binary
  bool first = false;          // with data: the message's first piece
  bool last = false;           // with data: its last piece (which may be empty)
  // data: the piece (unmasked, inflated; text is valid UTF-8 so far); ping, pong: the whole
  // payload; close: the reason. A view into the caller's buffer or into the reader, valid until
  // the next read().
  std::string_view payload;
  std::uint16_t code = 0;  // with close: the code, or 1005 (no status) when the frame had none
  receive_error error{};   // with failed
};

class message_reader {
 public:
  explicit message_reader(const reader_config& config);
  ~message_reader();
  message_reader(const message_reader&) = delete;
  message_reader& operator=(const message_reader&) = delete;

  // Reads from in, the bytes received and not yet consumed, unmasking them in place, and
  // returns the next event. After close or failed, every byte is consumed and ignored (§5.5.1:
  // nothing the peer sends after its Close frame counts).
  message_event read(std::span<char> in);
  // A close or failed event was returned.
  bool is_done() const noexcept { return done_; }

 private:
  message_event fail(receive_error e, std::size_t consumed) noexcept;
  std::optional<receive_error> on_header() noexcept;
  message_event on_payload(const frame_event& fe, std::size_t consumed);
  message_event on_control(std::string_view payload, std::size_t consumed) noexcept;
  message_event deliver(std::string_view piece, bool last, std::size_t consumed) noexcept;
  message_event emit(std::string_view piece, bool last, std::size_t consumed) noexcept;
  message_event check_inflated(std::string_view piece, const message_inflater::result& r,
                               std::size_t consumed) noexcept;
  bool has_inflate_work() const noexcept;
  message_event inflate_step(std::string_view direct, std::size_t consumed);
  bool ensure_inflate_buffers();

  reader_config config_;
  frame_parser parser_;
  utf8_validator utf8_;
  // The message being received.
  bool in_message_ = false;
  opcode type_ = opcode::text;
  bool compressed_ = false;
  bool started_ = false;      // a piece of it was given
  bool final_frame_ = false;  // the current data frame has FIN
  std::uint64_t size_ = 0;    // bytes given (inflated)
  std::uint64_t wire_ = 0;    // payload bytes announced by its frames' headers
  // A control frame's payload, when it arrives in pieces.
  std::array<char, max_control_payload> control_{};
  std::size_t control_size_ = 0;
  // permessage-deflate.
  std::unique_ptr<message_inflater> inflater_;
  std::unique_ptr<char[]> out_;      // inflated bytes of the last data event
  std::unique_ptr<char[]> staging_;  // compressed bytes received but not yet inflated
  std::size_t staged_at_ = 0;
  std::size_t staged_end_ = 0;
  bool draining_ = false;   // zlib may hold inflated bytes that out_ had no room for
  bool finishing_ = false;  // the message's last frame is in; the tail is to be inflated
  bool done_ = false;
};

}  // namespace teapot::ws
