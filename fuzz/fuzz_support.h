// What the fuzz targets share: a check that stops the run where an invariant breaks (assert is
// compiled out of some builds; abort is not), and a way to read several fields from one input
// so that the seed files stay plain text, one field per line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace teapot::fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first N-1 lines of in (without their '\n') and the rest as the last field; a field the
// input does not reach is nullopt, so that "absent" and "empty" both get fuzzed.
template <std::size_t N>
std::array<std::optional<std::string_view>, N> split_fields(std::string_view in) {
  std::array<std::optional<std::string_view>, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    if (i + 1 == N) {
      out[i] = in;
      break;
    }
    const std::size_t nl = in.find('\n');
    out[i] = in.substr(0, nl);
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace teapot::fuzz
