// Range (RFC 9110 §14) parsing and selection. Input: the representation's length in decimal on
// the first line, the Range field after it. Checks what select_ranges promises: a partial
// answer holds sorted, disjoint, non-touching ranges inside the length; the other outcomes hold
// none; and a selection, written back as a Range field, selects itself again.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "http/ranges.h"

namespace {

using teapot::fuzz::check;
using teapot::http::byte_range;
using teapot::http::range_limits;
using teapot::http::range_outcome;
using teapot::http::range_selection;

// Digits past 2^64-1 or no digits at all: a length picked from the text, so that any line
// still gives a length to select from.
std::uint64_t read_length(std::string_view line) {
  std::uint64_t n = 0;
  const auto r = std::from_chars(line.data(), line.data() + line.size(), n);
  if (r.ec == std::errc{}) return n;
  return line.size();
}

std::string as_field(const range_selection& s) {
  std::string field = "bytes=";
  for (const byte_range& r : s.ranges) {
    if (field.size() > 6) field += ',';
    field += std::to_string(r.first) + '-' + std::to_string(r.last);
  }
  return field;
}

void check_selection(const range_selection& s, std::uint64_t length, const range_limits& limits) {
  if (s.outcome != range_outcome::partial) {
    check(s.ranges.empty());
    return;
  }
  check(!s.ranges.empty() && s.ranges.size() <= limits.max_parts);
  for (std::size_t i = 0; i < s.ranges.size(); ++i) {
    const byte_range& r = s.ranges[i];
    check(r.first <= r.last && r.last < length);
    check(r.length() >= 1 && r.length() <= length);
    if (i > 0) check(s.ranges[i - 1].last + 1 < r.first);  // coalesced: a gap between parts
    std::string text;
    teapot::http::format_content_range(r, length, text);
    check(text == "bytes " + std::to_string(r.first) + '-' + std::to_string(r.last) + '/' +
                      std::to_string(length));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [length_line, field] =
      teapot::fuzz::split_fields<2>(teapot::fuzz::as_text(data, size));
  const std::uint64_t length = read_length(*length_line);
  const range_limits limits;
  range_selection s;
  teapot::http::select_ranges(field.value_or(""), length, limits, s);
  check_selection(s, length, limits);

  // Reusing the selection's storage must not change the answer.
  range_selection again = s;
  teapot::http::select_ranges(field.value_or(""), length, limits, again);
  check(again.outcome == s.outcome && again.ranges.size() == s.ranges.size());

  if (s.outcome == range_outcome::partial) {
    range_selection round;
    teapot::http::select_ranges(as_field(s), length, limits, round);
    check(round.outcome == range_outcome::partial && round.ranges.size() == s.ranges.size());
    for (std::size_t i = 0; i < s.ranges.size(); ++i)
      check(round.ranges[i].first == s.ranges[i].first && round.ranges[i].last == s.ranges[i].last);
  }
  if (s.outcome == range_outcome::unsatisfiable) {
    std::string text;
    teapot::http::format_unsatisfied_range(length, text);
    check(text == "bytes */" + std::to_string(length));
  }
  return 0;
}
