#include "ws/frame_writer.h"

#include <span>

#include "ws/utf8_validator.h"

namespace teapot::ws {

namespace {

// The longest prefix of text, at most max bytes, that does not end inside a code point.
std::string_view cut_at_code_point(std::string_view text, std::size_t max) noexcept {
  if (text.size() <= max) return text;
  std::size_t n = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the code point cut in two.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80)
    --n;
  return text.substr(0, n);
}

}  // namespace

frame_head format_frame_header(opcode op, std::uint64_t length, frame_flags flags,
                               const std::optional<mask_key>& mask) noexcept {
  frame_head h;
  auto byte = [&h](std::uint64_t v) { h.bytes[h.size++] = static_cast<char>(v & 0xff); };
  byte((flags.fin ? 0x80u : 0u) | (flags.rsv1 ? 0x40u : 0u) | static_cast<std::uint8_t>(op));
  const std::uint64_t mask_bit = mask ? 0x80 : 0;
  if (length < 126) {
    byte(mask_bit | length);
  } else if (length <= 0xffff) {
    byte(mask_bit | 126);
    byte(length >> 8);
    byte(length);
  } else {
    byte(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      byte(length >> shift);
  }
  if (mask) {
    for (std::uint8_t k : *mask)
      byte(k);
  }
  return h;
}

void append_frame(std::string& out, opcode op, std::string_view payload, frame_flags flags,
                  const std::optional<mask_key>& mask) {
  const frame_head h = format_frame_header(op, payload.size(), flags, mask);
  out.append(h.view());
  const std::size_t at = out.size();
  out.append(payload);
  if (mask) apply_mask(std::span<char>(out).subspan(at), *mask, 0);
}

void append_close(std::string& out, std::uint16_t code, std::string_view reason,
                  const std::optional<mask_key>& mask) {
  if (code == to_int(close_code::no_status_received)) {
    append_frame(out, opcode::close, {}, {}, mask);
    return;
  }
  if (!is_valid_received_code(code)) code = to_int(close_code::internal_error);
  std::array<char, max_control_payload> payload{};
  payload[0] = static_cast<char>(code >> 8);
  payload[1] = static_cast<char>(code & 0xff);
  // A reason that is not UTF-8 would make the peer fail with 1007 instead of reading the code.
  if (!is_valid_utf8(reason)) reason = {};
  reason = cut_at_code_point(reason, max_control_payload - 2);
  reason.copy(payload.data() + 2, reason.size());
  append_frame(out, opcode::close, {payload.data(), 2 + reason.size()}, {}, mask);
}

bool append_ping(std::string& out, std::string_view payload, const std::optional<mask_key>& mask) {
  if (payload.size() > max_control_payload) return false;
  append_frame(out, opcode::ping, payload, {}, mask);
  return true;
}

bool append_pong(std::string& out, std::string_view payload, const std::optional<mask_key>& mask) {
  if (payload.size() > max_control_payload) return false;
  append_frame(out, opcode::pong, payload, {}, mask);
  return true;
}

}  // namespace teapot::ws
