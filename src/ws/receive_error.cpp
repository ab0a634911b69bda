#include "ws/receive_error.h"

namespace teapot::ws {

// The one place a receive_error becomes a close code; -Wswitch-enum makes a missing case an
// error. RFC 6455 §7.4.1 names the codes.
close_code to_close_code(receive_error e) noexcept {
  using enum receive_error;
  switch (e) {
    case reserved_bit:
    case reserved_opcode:
    case unmasked_frame:
    case masked_frame:
    case fragmented_control:
    case control_too_long:
    case length_too_large:
    case non_minimal_length:
    case compressed_control:
    case compressed_continuation:
    case continuation_without_message:
    case message_interrupted:
    case bad_close_length:
    case bad_close_code:
      return close_code::protocol_error;
    case invalid_utf8:
    case invalid_close_reason:
    case invalid_compressed_data:
      return close_code::invalid_frame_payload_data;
    case message_too_big:
      return close_code::message_too_big;
    case inflate_unavailable:
      return close_code::internal_error;
  }
  return close_code::protocol_error;  // unreachable for a valid enumerator
}

std::string_view describe(receive_error e) noexcept {
  using enum receive_error;
  switch (e) {
    case reserved_bit:
      return "reserved bit set";
    case reserved_opcode:
      return "reserved opcode";
    case unmasked_frame:
      return "client frame not masked";
    case masked_frame:
      return "server frame masked";
    case fragmented_control:
      return "fragmented control frame";
    case control_too_long:
      return "control frame over 125 bytes";
    case length_too_large:
      return "payload length over 2^63";
    case non_minimal_length:
      return "payload length not minimally encoded";
    case compressed_control:
      return "compressed control frame";
    case compressed_continuation:
      return "RSV1 on a continuation frame";
    case continuation_without_message:
      return "continuation frame without a message";
    case message_interrupted:
      return "new message inside a fragmented message";
    case bad_close_length:
      return "close frame of one byte";
    case bad_close_code:
      return "invalid close code";
    case invalid_utf8:
      return "text message not UTF-8";
    case invalid_close_reason:
      return "close reason not UTF-8";
    case invalid_compressed_data:
      return "compressed message does not inflate";
    case message_too_big:
      return "message too big";
    case inflate_unavailable:
      return "no memory to inflate";
  }
  return "invalid frame";
}

std::string_view name_of(receive_error e) noexcept {
  using enum receive_error;
  switch (e) {
    case reserved_bit:
      return "reserved_bit";
    case reserved_opcode:
      return "reserved_opcode";
    case unmasked_frame:
      return "unmasked_frame";
    case masked_frame:
      return "masked_frame";
    case fragmented_control:
      return "fragmented_control";
    case control_too_long:
      return "control_too_long";
    case length_too_large:
      return "length_too_large";
    case non_minimal_length:
      return "non_minimal_length";
    case compressed_control:
      return "compressed_control";
    case compressed_continuation:
      return "compressed_continuation";
    case continuation_without_message:
      return "continuation_without_message";
    case message_interrupted:
      return "message_interrupted";
    case bad_close_length:
      return "bad_close_length";
    case bad_close_code:
      return "bad_close_code";
    case invalid_utf8:
      return "invalid_utf8";
    case invalid_close_reason:
      return "invalid_close_reason";
    case invalid_compressed_data:
      return "invalid_compressed_data";
    case message_too_big:
      return "message_too_big";
    case inflate_unavailable:
      return "inflate_unavailable";
  }
  return "unknown";
}

}  // namespace teapot::ws
