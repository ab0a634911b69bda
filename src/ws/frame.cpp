#include "ws/frame.h"

#include <cstring>

namespace teapot::ws {

// Eight bytes at a time: a received payload is unmasked in full, and a byte loop over megabytes
// of frames would cost more than the parse itself.
void apply_mask(std::span<char> bytes, const mask_key& key, std::uint64_t offset) noexcept {
  std::array<std::uint8_t, 8> rotated{};
  for (std::size_t i = 0; i < rotated.size(); ++i)
    rotated[i] = key[(offset + i) % 4];
  std::uint64_t wide = 0;
  std::memcpy(&wide, rotated.data(), sizeof wide);
  char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left >= 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, p, sizeof chunk);
    chunk ^= wide;
    std::memcpy(p, &chunk, sizeof chunk);
    p += 8;
    left -= 8;
  }
  // Eight is a multiple of four: the tail starts at the same phase of the key.
  for (std::size_t i = 0; i < left; ++i)
    p[i] = static_cast<char>(p[i] ^ rotated[i]);
}

}  // namespace teapot::ws
