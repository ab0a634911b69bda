#include "ws/frame_parser.h"

#include <algorithm>
#include <cstring>

namespace teapot::ws {

namespace {

frame_event need_more(std::size_t consumed) noexcept {
  frame_event ev;
  ev.consumed = consumed;
  return ev;
}

constexpr bool is_known_opcode(std::uint8_t op) noexcept {
  return op <= 0x2 || (op >= 0x8 && op <= 0xa);
}

}  // namespace

void frame_parser::reset() noexcept {
  header_ = {};
  have_ = 0;
  need_ = 2;
  left_ = 0;
  offset_ = 0;
  state_ = state::header;
}

frame_event frame_parser::fail(receive_error e, std::size_t consumed) noexcept {
  state_ = state::failed;
  error_ = e;
  frame_event ev;
  ev.what = frame_event::kind::failed;
  ev.consumed = consumed;
  ev.error = e;
  return ev;
}

frame_event frame_parser::parse(std::span<char> in) noexcept {
  switch (state_) {
    case state::header:
      return parse_header(in);
    case state::payload:
      return parse_payload(in);
    case state::failed:
      return fail(error_, 0);
  }
  return fail(error_, 0);
}

// RFC 6455 §5.2, the first byte: FIN, RSV1-3 and the opcode. Each rule it can break is judged
// as soon as it arrives, before the rest of the header is awaited.
bool frame_parser::check_first_byte(receive_error& e) noexcept {
  const std::uint8_t b0 = bytes_[0];
  const std::uint8_t op = b0 & 0x0f;
  const bool fin = (b0 & 0x80) != 0;
  const bool rsv1 = (b0 & 0x40) != 0;
  const bool control = is_control(static_cast<opcode>(op));
  if ((b0 & 0x30) != 0 || (rsv1 && !config_.rsv1_allowed)) {
    e = receive_error::reserved_bit;
  } else if (!is_known_opcode(op)) {
    e = receive_error::reserved_opcode;
  } else if (control && !fin) {
    e = receive_error::fragmented_control;  // §5.5
  } else if (rsv1 && control) {
    e = receive_error::compressed_control;  // RFC 7692 §6: RSV1 only on a message's first frame
  } else if (rsv1 && op == 0) {
    e = receive_error::compressed_continuation;
  } else {
    header_.op = static_cast<opcode>(op);
    header_.fin = fin;
    header_.rsv1 = rsv1;
    return true;
  }
  return false;
}

// The second byte: MASK and the 7-bit length; sets need_ to the header's full size.
bool frame_parser::check_second_byte(receive_error& e) noexcept {
  const std::uint8_t b1 = bytes_[1];
  const bool masked = (b1 & 0x80) != 0;
  const std::uint8_t len7 = b1 & 0x7f;
  if (masked != (config_.local == role::server)) {
    // §5.1: a server closes on an unmasked frame, a client on a masked one.
    e = masked ? receive_error::masked_frame : receive_error::unmasked_frame;
    return false;
  }
  if (is_control(header_.op) && len7 > max_control_payload) {
    e = receive_error::control_too_long;  // §5.5
    return false;
  }
  header_.masked = masked;
  const std::uint8_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  need_ = static_cast<std::uint8_t>(2 + extended + (masked ? 4 : 0));
  return true;
}

// RFC 6455 §5.2, the extended length and the mask key. "In all cases, the minimal number of
// bytes MUST be used to encode the length": a 16-bit length under 126, or a 64-bit one under
// 65536, breaks a MUST of the frame format and fails the connection like any other malformed
// frame (a lenient reading would give two encodings to one frame, which intermediaries and
// fuzzers can play on). The 64-bit length's most significant bit MUST be 0.
bool frame_parser::finish_header(receive_error& e) noexcept {
  const std::uint8_t len7 = bytes_[1] & 0x7f;
  std::size_t at = 2;
  std::uint64_t length = len7;
  if (len7 == 126) {
    length = static_cast<std::uint64_t>(bytes_[2]) << 8 | bytes_[3];
    at = 4;
    if (length < 126) {
      e = receive_error::non_minimal_length;
      return false;
    }
  } else if (len7 == 127) {
    length = 0;
    for (std::size_t i = 2; i < 10; ++i)
      length = length << 8 | bytes_[i];
    at = 10;
    if ((length >> 63) != 0) {
      e = receive_error::length_too_large;
      return false;
    }
    if (length <= 0xffff) {
      e = receive_error::non_minimal_length;
      return false;
    }
  }
  header_.mask = {};
  if (header_.masked) std::memcpy(header_.mask.data(), &bytes_[at], 4);
  header_.length = length;
  return true;
}

frame_event frame_parser::parse_header(std::span<char> in) noexcept {
  std::size_t used = 0;
  while (have_ < need_) {
    if (used == in.size()) return need_more(used);
    // A byte at a time until the second is in: the first one's rules fail the frame before
    // the second arrives.
    const std::size_t take = have_ < 2 ? 1 : std::min<std::size_t>(need_ - have_, in.size() - used);
    std::memcpy(&bytes_[have_], in.data() + used, take);
    used += take;
    have_ = static_cast<std::uint8_t>(have_ + take);
    receive_error e{};
    if (have_ == 1 && !check_first_byte(e)) return fail(e, used);
    if (have_ == 2 && !check_second_byte(e)) return fail(e, used);
  }
  receive_error e{};
  if (!finish_header(e)) return fail(e, used);
  have_ = 0;
  need_ = 2;
  left_ = header_.length;
  offset_ = 0;
  state_ = state::payload;
  frame_event ev;
  ev.what = frame_event::kind::header;
  ev.consumed = used;
  return ev;
}

frame_event frame_parser::parse_payload(std::span<char> in) noexcept {
  const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
  if (take == 0 && left_ != 0) return need_more(0);
  std::span<char> bytes = in.first(take);
  if (header_.masked) apply_mask(bytes, header_.mask, offset_);
  left_ -= take;
  offset_ += take;
  frame_event ev;
  ev.what = frame_event::kind::payload;
  ev.consumed = take;
  ev.payload = {bytes.data(), bytes.size()};
  ev.frame_end = left_ == 0;
  if (ev.frame_end) state_ = state::header;
  return ev;
}

}  // namespace teapot::ws
