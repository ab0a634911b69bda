// ASCII character classes of RFC 9110/9112 and RFC 3986 as constexpr 256-entry tables, so that a
// parser classifies a byte with one load. Pure and allocation-free; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace teapot::base::ascii {

namespace detail {

// Bit per class; one table holds them all so that a byte costs one load whatever the class.
enum : std::uint16_t {
  k_tchar = 1 << 0,        // RFC 9110 §5.6.2 token characters
  k_field_vchar = 1 << 1,  // RFC 9110 §5.5 VCHAR / obs-text
  k_digit = 1 << 2,        // RFC 5234 DIGIT
  k_hexdig = 1 << 3,       // RFC 5234 HEXDIG (either case, as RFC 9112 §7.1 reads it)
  k_alpha = 1 << 4,        // RFC 5234 ALPHA
  k_target = 1 << 5,       // RFC 3986 characters of a request-target (RFC 9112 §3.2)
  k_reg_name = 1 << 6,     // RFC 3986 §3.2.2 reg-name (unreserved / sub-delims / '%')
  k_qdtext = 1 << 7,       // RFC 9110 §5.6.4 qdtext
  k_ows = 1 << 8,          // RFC 9110 §5.6.3 SP / HTAB
  k_wire_target = 1 << 9,  // a request-target as the request line takes it
};

constexpr bool in(std::string_view set, unsigned c) {
  for (char s : set) {
    if (static_cast<unsigned char>(s) == c) return true;
  }
  return false;
}

constexpr std::array<std::uint16_t, 256> make_classes() {
  std::array<std::uint16_t, 256> t{};
  constexpr std::string_view tchar_punct = "!#$%&'*+-.^_`|~";
  constexpr std::string_view unreserved_punct = "-._~";
  constexpr std::string_view sub_delims = "!$&'()*+,;=";
  for (unsigned c = 0; c < 256; ++c) {
    std::uint16_t v = 0;
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (digit) v |= k_digit | k_hexdig;
    if (alpha) v |= k_alpha;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= k_hexdig;
    if (digit || alpha || in(tchar_punct, c)) v |= k_tchar;
    if ((c >= 0x21 && c <= 0x7e) || c >= 0x80) v |= k_field_vchar;
    const bool unreserved = digit || alpha || in(unreserved_punct, c);
    if (unreserved || in(sub_delims, c) || c == '%') v |= k_reg_name;
    if (unreserved || in(sub_delims, c) || in(":@/?%[]", c)) v |= k_target;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
        (c >= 0x5d && c <= 0x7e) || c >= 0x80) {
      v |= k_qdtext;
    }
    if (c == ' ' || c == '\t') v |= k_ows;
    if ((c >= 0x21 && c <= 0x7e && c != '#') || c >= 0x80) v |= k_wire_target;
    t[c] = v;
  }
  return t;
}

inline constexpr std::array<std::uint16_t, 256> classes = make_classes();

constexpr std::array<char, 256> make_lower() {
  std::array<char, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  return t;
}

inline constexpr std::array<char, 256> lower_table = make_lower();

constexpr bool has(char c, std::uint16_t bit) {
  return (classes[static_cast<unsigned char>(c)] & bit) != 0;
}

}  // namespace detail

constexpr bool is_tchar(char c) {
  return detail::has(c, detail::k_tchar);
}
// A byte allowed inside a field value besides SP/HTAB: VCHAR or obs-text (RFC 9110 §5.5).
constexpr bool is_field_vchar(char c) {
  return detail::has(c, detail::k_field_vchar);
}
// field-vchar, SP or HTAB: every byte a field value may hold.
constexpr bool is_field_content(char c) {
  return detail::has(c, detail::k_field_vchar | detail::k_ows);
}
constexpr bool is_digit(char c) {
  return detail::has(c, detail::k_digit);
}
constexpr bool is_hexdig(char c) {
  return detail::has(c, detail::k_hexdig);
}
constexpr bool is_alpha(char c) {
  return detail::has(c, detail::k_alpha);
}
constexpr bool is_ows(char c) {
  return detail::has(c, detail::k_ows);
}
// Bytes a request-target may hold (RFC 3986 pchar, '/', '?', '%', '[' ']'); no '#', CTL, SP
// or byte >= 0x80.
constexpr bool is_target_char(char c) {
  return detail::has(c, detail::k_target);
}
// Bytes the request line takes in a request-target: every VCHAR but '#', and obs-text. That is
// wider than RFC 3986 (is_target_char): browsers and curl send '|', '{', '}', '^', '`', '"',
// '\' unencoded, and nginx and Apache take them and bytes >= 0x80 alike; RFC 9112 §3 asks
// for 400 with a SHOULD. What could end or split the line (SP, CTLs, DEL) and the fragment
// delimiter stay out.
constexpr bool is_wire_target_char(char c) {
  return detail::has(c, detail::k_wire_target);
}
constexpr bool is_reg_name_char(char c) {
  return detail::has(c, detail::k_reg_name);
}
constexpr bool is_qdtext(char c) {
  return detail::has(c, detail::k_qdtext);
}

constexpr char to_lower(char c) {
  return detail::lower_table[static_cast<unsigned char>(c)];
}

// The value of a HEXDIG; undefined for other bytes.
constexpr unsigned hex_value(char c) {
  return is_digit(c) ? static_cast<unsigned>(c - '0')
                     : static_cast<unsigned>(to_lower(c) - 'a' + 10);
}

// Appends value as `digits` lower-case hex digits, zero-padded (the low bits when it has more):
// the escapes of logs and JSON ("\\x1b", "\\u0007").
inline void append_hex(std::string& out, unsigned value, int digits) {
  constexpr char hex[] = "0123456789abcdef";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
    out += hex[(value >> shift) & 0xF];
}

// ASCII case-insensitive equality, as field names and tokens compare (RFC 9110 §5.1).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

constexpr bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Whether every byte of s may stand in a field value (is_field_content). Eight bytes at a time:
// the server checks every value a handler sets, and almost none holds a control byte, the only
// kind refused (0x00-0x1F but HTAB, and DEL).
inline bool is_field_value(std::string_view s) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
    const std::uint64_t x = w ^ (ones * 0x7F);
    const std::uint64_t del = (x - ones) & ~x & highs;
    if ((below_space | del) == 0) continue;
    for (std::size_t j = i; j < i + 8; ++j)  // a control byte, or HTAB
      if (!is_field_content(s[j])) return false;
  }
  for (; i < s.size(); ++i)
    if (!is_field_content(s[i])) return false;
  return true;
}

// s without leading and trailing SP/HTAB.
constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

}  // namespace teapot::base::ascii
