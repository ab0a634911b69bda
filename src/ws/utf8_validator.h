// UTF-8 checked as it arrives (RFC 3629 §4; Unicode 15 §3.9, table 3-7): the state is kept
// between calls, so that a code point split across two frames or two reads is judged whole. No
// overlong form, no surrogate, nothing past U+10FFFF. Each byte costs one table load.
#pragma once

#include <cstdint>
#include <string_view>

namespace teapot::ws {

class utf8_validator {
 public:
  // False at the first byte that no valid UTF-8 continues with (without waiting for the rest of
  // a sequence that can no longer be valid); the validator then stays failed until reset().
  bool feed(std::string_view bytes) noexcept;
  // Every byte fed so far is valid and the last code point is whole: a text message may end here.
  bool is_complete() const noexcept { return state_ == 0; }
  bool has_failed() const noexcept;
  void reset() noexcept { state_ = 0; }

 private:
  std::uint8_t state_ = 0;  // 0: between code points; see utf8_validator.cpp for the others
};

// The whole of text is UTF-8 (a Close frame's reason).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace teapot::ws
