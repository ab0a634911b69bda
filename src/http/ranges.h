// Byte ranges (RFC 9110 §14) as pure functions: parse a Range field and select the parts of a
// representation of a known length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace teapot::http {

struct byte_range {
  std::uint64_t first;  // inclusive
  std::uint64_t last;   // inclusive
  std::uint64_t length() const noexcept { return last - first + 1; }
};

struct range_limits {
  std::size_t max_parts = 16;       // more: the whole representation (200)
  std::size_t max_overlapping = 2;  // more overlapping specs: the whole representation (200)
};

enum class range_outcome : std::uint8_t {
  whole,          // ignore the Range: 200 with the whole representation
  partial,        // 206: ranges holds the parts, sorted and coalesced
  unsatisfiable,  // 416 with Content-Range: bytes */length
};

struct range_selection {
  range_outcome outcome = range_outcome::whole;
  std::vector<byte_range> ranges;
};

// RFC 9110 §14.2: a syntactically invalid Range is ignored... except that teapot follows nginx
// and answers 416 for a bytes range set none of whose specs is valid and satisfiable; other
// units are ignored. Overlapping or adjacent ranges are coalesced (§14.2 permits it); too many
// parts or overlaps give the whole representation rather than an amplified answer.
void select_ranges(std::string_view range_field, std::uint64_t length, const range_limits& limits,
                   range_selection& out);

// "bytes 0-499/1234" and "bytes */1234".
void format_content_range(const byte_range& r, std::uint64_t length, std::string& out);
void format_unsatisfied_range(std::uint64_t length, std::string& out);

}  // namespace teapot::http
