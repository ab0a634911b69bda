// A check of a TOML text before toml++ reads it. toml++ 3.3 (Debian's) asks whether a
// character outside strings and comments is whitespace, and for U+00A1 to U+0499 that question
// reaches __builtin_unreachable: undefined behaviour in every build ("[§]", "café = 1"; found
// by fuzz/config_fuzz.cpp). TOML 1.0 allows non-ASCII only in strings and comments, so such a
// character is a mistake anyway, and the loader reports it before toml++ sees it. Internal to
// the loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::config::detail {

struct text_position {
  std::size_t offset = 0;
  std::uint32_t line = 1;    // from 1
  std::uint32_t column = 1;  // from 1, in characters
};

// The first byte above 0x7F outside strings (all four kinds) and comments, a UTF-8 byte order
// mark at the start excepted; nullopt when there is none. On a text that is not TOML the
// answer may be any position: the caller lets toml++ read the text before it first, to report
// the first mistake of the file.
std::optional<text_position> find_non_ascii_outside_strings(std::string_view text) noexcept;

}  // namespace teapot::config::detail
