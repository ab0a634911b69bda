// Precompressed siblings: file.br, file.zst and file.gz stored next to file, served in its
// place when Accept-Encoding prefers them (RFC 9110 §8.4, §12.5.3).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::handlers::static_files {

struct sibling_coding {
  std::string_view suffix;  // appended to the file name: ".br"
  std::string_view coding;  // the content-coding it holds (IANA registry): "br"
};

// In the server's order of preference, which breaks ties between equal weights.
inline constexpr sibling_coding sibling_codings[] = {
    {".br", "br"},
    {".zst", "zstd"},
    {".gz", "gzip"},
};
inline constexpr std::size_t sibling_count = std::size(sibling_codings);

struct coding_choice {
  std::optional<std::size_t> sibling;  // index into sibling_codings; nullopt: the file itself
  bool has_siblings = false;           // then every response varies on Accept-Encoding
  bool present[sibling_count] = {};    // which siblings exist
  bool none_acceptable = false;        // not even the file itself is acceptable
};

// Looks for the siblings of relative (a name below root_fd) and picks the representation
// Accept-Encoding ranks best. Existence is only a hint here: the caller opens the chosen
// sibling under the same rules as any request, and falls back to the file if it cannot.
// known, when given, says which siblings exist (sibling_count flags), and no lookup is made.
coding_choice choose_coding(int root_fd, std::string_view relative,
                            std::optional<std::string_view> accept_encoding,
                            const bool* known = nullptr);

}  // namespace teapot::handlers::static_files
