// The vocabulary of WebSocket frames (RFC 6455 §5.2): opcodes, a parsed frame header, the mask
// key, and which end of the connection a codec speaks for. Value types; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace teapot::ws {

// RFC 6455 §5.2 and §11.8; the other values are reserved and refused when received.
enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xa,
};

// Control frames are those whose opcode has its high bit set (RFC 6455 §5.5).
constexpr bool is_control(opcode op) noexcept {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

// A client masks every frame it sends and a server none (RFC 6455 §5.1); each end refuses
// frames masked the other way.
enum class role : std::uint8_t { server, client };

using mask_key = std::array<std::uint8_t, 4>;

struct frame_header {
  opcode op = opcode::continuation;
  bool fin = false;
  bool rsv1 = false;  // set only with an extension that defines it (permessage-deflate)
  bool masked = false;
  mask_key mask{};
  std::uint64_t length = 0;  // of the payload
};

// RFC 6455 §5.5: a control frame carries at most 125 bytes.
inline constexpr std::size_t max_control_payload = 125;
// 2 bytes, an 8-byte extended length and a 4-byte mask key.
inline constexpr std::size_t max_header_size = 14;

// RFC 6455 §5.3: XORs byte i of bytes with key[(offset + i) % 4], where offset is the position
// of bytes[0] in the frame's payload. Applying it twice restores the bytes.
void apply_mask(std::span<char> bytes, const mask_key& key, std::uint64_t offset) noexcept;

}  // namespace teapot::ws
