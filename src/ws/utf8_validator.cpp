#include "ws/utf8_validator.h"

#include <array>
#include <cstring>

namespace teapot::ws {

namespace {

// Byte classes of Unicode table 3-7: what a byte may be, wherever it stands.
enum byte_class : std::uint8_t {
  ascii,       // 00..7F
  cont_80_8f,  // continuation bytes, split by the ranges the second byte of E0, ED, F0 and
  cont_90_9f,  //   F4 sequences are restricted to
  cont_a0_bf,  //
  lead_2,      // C2..DF
  lead_e0,     // E0: A0..BF follows (no overlong)
  lead_3,      // E1..EC, EE..EF
  lead_ed,     // ED: 80..9F follows (no surrogate)
  lead_f0,     // F0: 90..BF follows (no overlong)
  lead_4,      // F1..F3
  lead_f4,     // F4: 80..8F follows (nothing past U+10FFFF)
  never,       // C0, C1, F5..FF
  class_count,
};

// States: what the next byte must be.
enum state : std::uint8_t {
  start,     // a new code point
  need_1,    // one more continuation byte
  need_2,    // two more
  need_3,    // three more
  after_e0,  // A0..BF, then one more
  after_ed,  // 80..9F, then one more
  after_f0,  // 90..BF, then two more
  after_f4,  // 80..8F, then two more
  failed,
  state_count,
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    std::uint8_t k = never;
    if (c < 0x80)
      k = ascii;
    else if (c < 0x90)
      k = cont_80_8f;
    else if (c < 0xa0)
      k = cont_90_9f;
    else if (c < 0xc0)
      k = cont_a0_bf;
    else if (c >= 0xc2 && c <= 0xdf)
      k = lead_2;
    else if (c == 0xe0)
      k = lead_e0;
    else if (c == 0xed)
      k = lead_ed;
    else if (c >= 0xe1 && c <= 0xef)
      k = lead_3;
    else if (c == 0xf0)
      k = lead_f0;
    else if (c >= 0xf1 && c <= 0xf3)
      k = lead_4;
    else if (c == 0xf4)
      k = lead_f4;
    t[c] = k;
  }
  return t;
}

using transitions = std::array<std::array<std::uint8_t, class_count>, state_count>;

constexpr transitions make_transitions() {
  transitions t{};
  for (auto& row : t)
    row.fill(failed);
  t[start][ascii] = start;
  t[start][lead_2] = need_1;
  t[start][lead_e0] = after_e0;
  t[start][lead_3] = need_2;
  t[start][lead_ed] = after_ed;
  t[start][lead_f0] = after_f0;
  t[start][lead_4] = need_3;
  t[start][lead_f4] = after_f4;
  for (std::uint8_t c : {cont_80_8f, cont_90_9f, cont_a0_bf}) {
    t[need_1][c] = start;
    t[need_2][c] = need_1;
    t[need_3][c] = need_2;
  }
  t[after_e0][cont_a0_bf] = need_1;
  t[after_ed][cont_80_8f] = need_1;
  t[after_ed][cont_90_9f] = need_1;
  t[after_f0][cont_90_9f] = need_2;
  t[after_f0][cont_a0_bf] = need_2;
  t[after_f4][cont_80_8f] = need_2;
  return t;
}

constexpr std::array<std::uint8_t, 256> classes = make_classes();
constexpr transitions next = make_transitions();

}  // namespace

bool utf8_validator::has_failed() const noexcept {
  return state_ == failed;
}

bool utf8_validator::feed(std::string_view bytes) noexcept {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  std::uint8_t s = state_;
  while (p != end) {
    // Text is mostly ASCII: eight bytes with no high bit pass at once between code points.
    if (s == start && end - p >= 8) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, p, sizeof chunk);
      if ((chunk & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    s = next[s][classes[static_cast<unsigned char>(*p)]];
    if (s == failed) break;
    ++p;
  }
  state_ = s;
  return s != failed;
}

bool is_valid_utf8(std::string_view text) noexcept {
  utf8_validator v;
  return v.feed(text) && v.is_complete();
}

}  // namespace teapot::ws
