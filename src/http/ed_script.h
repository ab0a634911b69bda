// The "diffe" instance-manipulation of delta encoding (RFC 3229): the edit script
// `diff -e` writes, which ed(1) applies to the old text to make the new one. Line based:
// commands run from the last line up, so that each names lines by their number in the old
// text. Sans-IO and stateless.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::http {

struct ed_script_limits {
  // The script must be shorter than this many bytes (RFC 3229 gains nothing from a delta as
  // large as the instance it stands for).
  std::size_t max_output = std::numeric_limits<std::size_t>::max();
  // Lines inserted plus lines deleted past the common start and end; beyond it the texts are
  // too far apart for a delta to pay, and the search (time and memory quadratic in this) stops.
  std::size_t max_edits = 1000;
};

// The script that turns old_text into new_text; empty when they are equal. nullopt when either
// is no text ed reads back byte for byte (a NUL byte, or a last line without its newline), or
// when the limits are passed. A line that is a lone "." (which would end ed's input mode) is
// written ".." and mended by an "s/.//" after its block, as `diff -e` does.
std::optional<std::string> ed_script(std::string_view old_text, std::string_view new_text,
                                     const ed_script_limits& limits);

}  // namespace teapot::http
