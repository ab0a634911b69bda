// A check of TOML table headers before toml++ reads the text. toml++ 3.3 (Debian's) calls its
// key parser on whatever follows the '[' of a table header and that parser assumes a key
// starts there: "[&", "[,", "[[[1]]]" fail an assertion (debug builds stop) or, with NDEBUG,
// run into undefined behaviour (upstream tomlplusplus issue 294, fixed after 3.3). Internal to
// the loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::config::detail {

struct keyless_header {
  std::size_t header_at = 0;  // offset of the header's '['
  std::uint32_t line = 1;     // of the byte that cannot start a key, from 1
  std::uint32_t column = 1;   // from 1, in bytes
};

// The first table header ("[" or "[[" at the start of a statement, then spaces or tabs)
// is followed by something that cannot start a key — a byte other than A-Z a-z 0-9 _ - " '
// or the ']' of an empty header, which toml++ reports itself — or nullopt when none is. Strings
// (four kinds), comments and the arrays and inline tables of values are skipped as TOML 1.0
// reads them, so a '[' inside them is no header. On a text that is not TOML the answer may be
// any position: the caller lets toml++ read the text before the header first, to report the
// first mistake of the file.
std::optional<keyless_header> find_keyless_table_header(std::string_view text) noexcept;

}  // namespace teapot::config::detail
