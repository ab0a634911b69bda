#include "http/ranges.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "base/ascii.h"

namespace teapot::http {
namespace {

namespace ascii = teapot::base::ascii;

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

// 1*DIGIT as a number; a value above 2^64-1 saturates there, which is beyond any length, so
// a huge first-pos stays unsatisfiable and a huge last-pos or suffix-length covers the rest
// (§14.1.2). False when digits is empty or holds anything but digits.
bool parse_position(std::string_view digits, std::uint64_t& out) noexcept {
  if (digits.empty()) return false;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!ascii::is_digit(c)) return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    value = value > (u64_max - d) / 10 ? u64_max : value * 10 + d;
  }
  out = value;
  return true;
}

// range-spec = int-range / suffix-range (§14.1.1); other-range is not a bytes range.
struct range_spec {
  bool suffix = false;
  std::uint64_t first = 0;       // int-range
  std::uint64_t last = u64_max;  // int-range; u64_max when absent
  std::uint64_t suffix_length = 0;
};

// False when the spec is invalid: not the grammar, or last-pos below first-pos (§14.1.1).
bool parse_range_spec(std::string_view text, range_spec& out) noexcept {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return false;
  if (dash == 0) {
    out.suffix = true;
    return parse_position(text.substr(1), out.suffix_length);
  }
  out.suffix = false;
  if (!parse_position(text.substr(0, dash), out.first)) return false;
  const std::string_view last = text.substr(dash + 1);
  out.last = u64_max;
  if (!last.empty() && !parse_position(last, out.last)) return false;
  return out.last >= out.first;
}

// §14.1.2: the bytes a valid spec selects from a representation of `length` bytes, or false
// when the spec is unsatisfiable (a first-pos at or past the end, a suffix of zero).
bool resolve(const range_spec& spec, std::uint64_t length, byte_range& out) noexcept {
  if (length == 0) return false;
  if (spec.suffix) {
    if (spec.suffix_length == 0) return false;
    out.first = spec.suffix_length >= length ? 0 : length - spec.suffix_length;
    out.last = length - 1;
    return true;
  }
  if (spec.first >= length) return false;
  out.first = spec.first;
  out.last = std::min(spec.last, length - 1);
  return true;
}

bool overlap(const byte_range& a, const byte_range& b) noexcept {
  return a.first <= b.last && b.first <= a.last;
}

// §14.2 lets a server ignore "a ranges-specifier with more than two overlapping ranges, or a
// set of many small ranges that are not listed in ascending order": a client reading a file
// does neither, and an attacker uses both to make one request cost many (CVE-2011-3192).
bool looks_abusive(const std::vector<byte_range>& ranges, const range_limits& limits) noexcept {
  std::size_t overlapping = 0;
  std::size_t descending = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0 && ranges[i].first < ranges[i - 1].first) ++descending;
    for (std::size_t j = i + 1; j < ranges.size(); ++j) {
      if (overlap(ranges[i], ranges[j])) ++overlapping;
    }
  }
  return overlapping > limits.max_overlapping || descending > limits.max_descending;
}

// Sorts and merges ranges that overlap or touch, which §14.2 permits ("a server MAY coalesce").
void coalesce(std::vector<byte_range>& ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const byte_range& a, const byte_range& b) { return a.first < b.first; });
  std::size_t kept = 0;
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    byte_range& back = ranges[kept];
    if (ranges[i].first <= back.last + 1) {  // last < length <= u64_max: no overflow
      back.last = std::max(back.last, ranges[i].last);
    } else {
      ranges[++kept] = ranges[i];
    }
  }
  ranges.resize(ranges.empty() ? 0 : kept + 1);
}

// What the walk over the range-set found, before any selection.
struct range_set_scan {
  bool valid = true;              // every element is a valid range-spec and there is one
  std::size_t specs = 0;          // non-empty elements
  bool empty_suffix_hit = false;  // a non-zero suffix on a zero-length representation
};

// Walks range-set = 1#range-spec (§14.1.1, list rules of §5.6.1: OWS around commas, empty
// elements skipped), keeping the satisfiable ranges (at most max_parts of them) in out.
range_set_scan scan_range_set(std::string_view set, std::uint64_t length,
                              const range_limits& limits, std::vector<byte_range>& out) {
  range_set_scan scan;
  while (true) {
    const std::size_t comma = set.find(',');
    const std::string_view element = ascii::trim_ows(set.substr(0, comma));
    if (!element.empty()) {
      ++scan.specs;
      range_spec spec;
      byte_range r{};
      if (!parse_range_spec(element, spec)) {
        scan.valid = false;
        return scan;
      }
      if (length == 0 && spec.suffix && spec.suffix_length > 0) scan.empty_suffix_hit = true;
      if (scan.specs <= limits.max_parts && resolve(spec, length, r)) out.push_back(r);
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (scan.specs == 0) scan.valid = false;
  return scan;
}

}  // namespace

void select_ranges(std::string_view range_field, std::uint64_t length, const range_limits& limits,
                   range_selection& out) {
  out.ranges.clear();
  out.outcome = range_outcome::whole;
  const std::string_view field = ascii::trim_ows(range_field);
  const std::size_t equals = field.find('=');
  // §14.2: "An origin server MUST ignore a Range header field that contains a range unit it
  // does not understand"; a field without "=" has no unit we understand either.
  if (equals == std::string_view::npos || !ascii::iequals(field.substr(0, equals), "bytes")) {
    return;
  }
  const range_set_scan scan = scan_range_set(field.substr(equals + 1), length, limits, out.ranges);
  // §14.2 lets an invalid ranges-specifier be ignored or rejected; teapot rejects, as nginx
  // does, so that a broken client learns of it.
  if (!scan.valid) {
    out.ranges.clear();
    out.outcome = range_outcome::unsatisfiable;
    return;
  }
  // §14.1.1: on a zero-length representation a non-zero suffix is satisfiable, but no
  // Content-Range can describe what it selects: send the (empty) whole.
  if (scan.specs > limits.max_parts || scan.empty_suffix_hit ||
      (!out.ranges.empty() && looks_abusive(out.ranges, limits))) {
    out.ranges.clear();
    return;
  }
  if (out.ranges.empty()) {
    out.outcome = range_outcome::unsatisfiable;
    return;
  }
  coalesce(out.ranges);
  out.outcome = range_outcome::partial;
}

namespace {
void append_number(std::string& out, std::uint64_t n) {
  char digits[20];  // 2^64 - 1 has 20
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}
}  // namespace

void format_content_range(const byte_range& r, std::uint64_t length, std::string& out) {
  out.assign("bytes ");
  append_number(out, r.first);
  out.push_back('-');
  append_number(out, r.last);
  out.push_back('/');
  append_number(out, length);
}

void format_unsatisfied_range(std::uint64_t length, std::string& out) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, length).ptr;
  out.assign("bytes */");
  out.append(buf, end);
}

}  // namespace teapot::http
