// The conditional fields (RFC 9110 §13.1) and what they are made of: entity-tags (§8.8.3) and
// HTTP-dates (§5.6.7). Input, one field per line: If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since, If-Range, the resource's ETag, and a time in seconds since the epoch to
// format; a line "-" (or no line) leaves the field out, an ETag line "!" says the resource has
// no current representation.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "http/date.h"
#include "http/validators.h"

namespace {

using teapot::fuzz::check;
using teapot::http::conditions;
using teapot::http::entity_tag;
using teapot::http::precondition_result;
using teapot::http::validators;

constexpr std::time_t now = 1700000000;           // Tue, 14 Nov 2023 22:13:20 GMT
constexpr std::time_t last_modified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT (§5.6.7)

std::optional<std::string_view> field(const std::optional<std::string_view>& line) {
  if (!line || *line == "-") return std::nullopt;
  return line;
}

// A tag that parses is exactly its own text; the two comparisons agree with §8.8.3.2.
void check_entity_tag(std::string_view text) {
  const std::optional<entity_tag> tag = teapot::http::parse_entity_tag(text);
  if (!tag) return;
  check(text == (tag->weak ? "W/\"" : "\"") + std::string(tag->opaque) + '"');
  check(teapot::http::weak_match(*tag, *tag));
  check(teapot::http::strong_match(*tag, *tag) == !tag->weak);
  const entity_tag other{tag->opaque, !tag->weak};
  check(!teapot::http::strong_match(*tag, other) && teapot::http::weak_match(*tag, other));
}

// A date that parses is a moment that formats (when its year has four digits) and parses back.
void check_date(std::string_view text) {
  const std::optional<std::time_t> t = teapot::http::parse_http_date(text, now);
  if (!t) return;
  char buf[teapot::http::imf_fixdate_size];
  const std::string_view formatted = teapot::http::format_imf_fixdate(*t, buf);
  if (formatted.empty()) return;
  check(teapot::http::parse_http_date(formatted, now) == t);
}

void check_format(std::string_view digits) {
  std::int64_t seconds = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), seconds).ec != std::errc{})
    return;
  const auto t = static_cast<std::time_t>(seconds);
  char buf[teapot::http::imf_fixdate_size];
  const std::string_view formatted = teapot::http::format_imf_fixdate(t, buf);
  if (formatted.empty()) return;
  check(formatted.size() == teapot::http::imf_fixdate_size);
  check(teapot::http::parse_http_date(formatted, now) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = teapot::fuzz::split_fields<7>(teapot::fuzz::as_text(data, size));
  conditions c;
  c.if_match = field(lines[0]);
  c.if_none_match = field(lines[1]);
  c.if_modified_since = field(lines[2]);
  c.if_unmodified_since = field(lines[3]);
  const std::optional<std::string_view> if_range = field(lines[4]);
  validators v;
  v.last_modified = last_modified;
  if (lines[5] && *lines[5] == "!") {
    v.exists = false;
  } else if (const auto etag = field(lines[5])) {
    v.etag = teapot::http::parse_entity_tag(*etag);
  }

  for (const auto& line : lines) {
    if (!line) continue;
    check_entity_tag(*line);
    check_date(*line);
  }
  if (lines[6]) check_format(*lines[6]);

  const precondition_result get = teapot::http::evaluate_preconditions("GET", c, v, now);
  const precondition_result head = teapot::http::evaluate_preconditions("HEAD", c, v, now);
  const precondition_result put = teapot::http::evaluate_preconditions("PUT", c, v, now);
  check(get == head);
  check(put != precondition_result::not_modified);  // 304 only answers GET and HEAD (§15.4.5)
  // A failed precondition fails every method; a 304 from If-None-Match is a 412 for an unsafe
  // one (If-Modified-Since is for GET and HEAD only).
  if (get == precondition_result::precondition_failed) check(put == get);
  if (get == precondition_result::not_modified && !c.if_modified_since)
    check(put == precondition_result::precondition_failed);
  // Without a current representation, If-None-Match: * is true and nothing can be unmodified.
  if (!v.exists) check(get != precondition_result::not_modified);

  const bool allows = teapot::http::if_range_allows(if_range, v);
  if (!if_range) check(allows);
  if (if_range) {
    const std::optional<entity_tag> tag = teapot::http::parse_entity_tag(*if_range);
    if (tag && tag->weak) check(!allows);  // §13.1.5: a weak tag never allows the range
    if (tag && !tag->weak && v.etag && !v.etag->weak && allows)
      check(tag->opaque == v.etag->opaque);
  }
  return 0;
}
