// Byte ranges (RFC 9110 §14) as pure functions: parse a Range field and select the parts of a
// representation of a known length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::http {

struct byte_range {
  std::uint64_t first;  // inclusive
  std::uint64_t last;   // inclusive
  std::uint64_t length() const noexcept { return last - first + 1; }
};

struct range_limits {
  std::size_t max_parts = 16;       // more specs: the whole representation (200)
  std::size_t max_overlapping = 2;  // more overlapping pairs of ranges: the whole (200)
  std::size_t max_descending = 2;   // more ranges that start before the one listed before
                                    // them: the whole (200)
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

// RFC 9110 §14.1.2, §14.2. The decision, in this order:
//   - a unit other than "bytes" (case-insensitive), or no "=": whole (§14.2 MUST ignore);
//   - a bytes range-set that is not 1#range-spec — any element malformed, a last-pos below
//     its first-pos, no element at all: unsatisfiable (§14.2 MAY reject; nginx does the same);
//   - more than max_parts specs, too many overlapping pairs or descending ranges among the
//     satisfiable ones (see range_limits): whole, rather than an amplified answer;
//   - a non-zero suffix on a zero-length representation: whole (satisfiable per §14.1.1, but
//     no Content-Range can describe it);
//   - no satisfiable spec: unsatisfiable (416);
//   - otherwise partial, the ranges clamped to the length, sorted, and those that overlap or
//     touch coalesced (§14.2 permits it).
// Positions beyond 2^64-1 saturate: a huge last-pos or suffix reaches the end, a huge
// first-pos is unsatisfiable. Reuses out.ranges' storage; out.ranges is empty unless partial.
void select_ranges(std::string_view range_field, std::uint64_t length, const range_limits& limits,
                   range_selection& out);

// Replace out's contents with "bytes 0-499/1234" (§14.4) and "bytes */1234" (for 416).
void format_content_range(const byte_range& r, std::uint64_t length, std::string& out);
void format_unsatisfied_range(std::uint64_t length, std::string& out);

}  // namespace teapot::http
