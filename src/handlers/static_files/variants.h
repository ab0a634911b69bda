// Variant files for proactive negotiation (RFC 9110 §12.1): "doc.en.html" and "doc.fr.html"
// answer a request for "/doc.html" or "/doc", "doc.pdf" a request for "/doc". Looked for only
// when the requested name itself does not exist.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "handlers/static_files/policy.h"

namespace teapot::handlers::static_files {

struct variant_file {
  std::string name;        // the file name in the directory: "doc.fr.html"
  std::string media_type;  // its type without parameters: "text/html"
  std::string language;    // "fr", or empty
};

// At most this many directory entries are read to look for variants, so that a request for a
// missing name in a huge directory costs a bounded amount of work.
inline constexpr std::size_t max_scanned_entries = 4096;

// The variants of base (the last segment of the request path) in the directory dir below
// root_fd ("." for the root), in the server's order of preference: by name, so that it is
// stable. Hidden names and precompressed siblings are not variants. The directory is opened
// under the rule of every request (beneath: not through a link out of the root).
std::vector<variant_file> find_variants(int root_fd, std::string_view dir, std::string_view base,
                                        const content_types& types, bool beneath);

// True for a plausible language tag (RFC 5646 §2.1 shape: 2-3 letters, then subtags of 1-8
// letters or digits).
bool is_language_tag(std::string_view s) noexcept;

}  // namespace teapot::handlers::static_files
