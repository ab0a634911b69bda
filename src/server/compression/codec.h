// The content-codings the server compresses with (RFC 9110 §8.4.1): one-shot, in memory,
// sans-IO. Thread contract: any thread; each keeps its own compressor state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::srv::compression {

enum class coding : std::uint8_t { gzip, br, zstd };

struct level_range {
  int min;
  int max;
};

// The registered name ("gzip", "br", "zstd"), as sent in Content-Encoding.
std::string_view name_of(coding c) noexcept;
// What the ETag of a coded representation gets appended: "gz", "br", "zst".
std::string_view etag_suffix(coding c) noexcept;
// The coding of a registered name (exact, lower case); nullopt for any other.
std::optional<coding> coding_named(std::string_view name) noexcept;
level_range levels_of(coding c) noexcept;

// Replaces out with in coded at level (within levels_of). False when the library fails
// (out is then unspecified).
bool compress(coding c, int level, std::string_view in, std::string& out);

// One per coding, each in its own file: gzip.cpp (zlib), brotli.cpp, zstd.cpp.
bool gzip_compress(int level, std::string_view in, std::string& out);
bool brotli_compress(int level, std::string_view in, std::string& out);
bool zstd_compress(int level, std::string_view in, std::string& out);

}  // namespace teapot::srv::compression
