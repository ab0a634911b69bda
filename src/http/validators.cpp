#include "http/validators.h"

#include <charconv>
#include <cstddef>

#include "base/ascii.h"
#include "http/date.h"

namespace teapot::http {
namespace {

namespace ascii = teapot::base::ascii;

// etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3): any visible byte but DQUOTE.
bool is_etagc(char c) noexcept {
  return c != '"' && ascii::is_field_vchar(c);
}

// Reads one entity-tag at the front of text and removes it; nullopt (text unchanged) when the
// front is not one. The opaque part may hold commas, so a list is scanned tag by tag rather
// than split on commas.
std::optional<entity_tag> take_entity_tag(std::string_view& text) noexcept {
  std::string_view rest = text;
  entity_tag tag;
  if (rest.starts_with("W/")) {  // %s"W/": case-sensitive (§8.8.3)
    tag.weak = true;
    rest.remove_prefix(2);
  }
  if (rest.empty() || rest.front() != '"') return std::nullopt;
  std::size_t end = 1;
  while (end < rest.size() && is_etagc(rest[end]))
    ++end;
  if (end == rest.size() || rest[end] != '"') return std::nullopt;
  tag.opaque = rest.substr(1, end - 1);
  text = rest.substr(end + 1);
  return tag;
}

// The three outcomes of one condition, plus "malformed", which each caller resolves as its
// header's section requires.
enum class condition : std::uint8_t { absent, is_true, is_false, malformed };

condition condition_of(bool value) noexcept {
  return value ? condition::is_true : condition::is_false;
}

// Evaluates `"*" / #entity-tag` (§13.1.1, §13.1.2): match(tag) for each listed tag, true if
// any matches; a field that is neither "*" nor a list is malformed. An empty list (only commas
// and whitespace, which §5.6.1 allows) matches nothing.
template <class Match>
condition evaluate_tag_list(std::string_view field, bool exists, Match&& match) {
  field = ascii::trim_ows(field);
  if (field == "*") return condition_of(exists);
  bool matched = false;
  while (true) {
    while (!field.empty() && (field.front() == ',' || ascii::is_ows(field.front())))
      field.remove_prefix(1);
    if (field.empty()) break;
    const std::optional<entity_tag> tag = take_entity_tag(field);
    if (!tag) return condition::malformed;
    matched = matched || match(*tag);
    while (!field.empty() && ascii::is_ows(field.front()))
      field.remove_prefix(1);
    if (!field.empty() && field.front() != ',') return condition::malformed;
  }
  return condition_of(matched);
}

}  // namespace

std::vector<entity_tag> list_entity_tags(std::string_view field) {
  std::vector<entity_tag> tags;
  const condition c = evaluate_tag_list(field, true, [&](const entity_tag& t) {
    tags.push_back(t);
    return false;
  });
  if (c != condition::is_false) tags.clear();  // "*" (true) or malformed
  return tags;
}

namespace {

// §13.1.1 If-Match: true for "*" when a current representation exists, or when one listed tag
// strongly matches its ETag.
condition if_match(const conditions& c, const validators& v) {
  if (!c.if_match) return condition::absent;
  return evaluate_tag_list(*c.if_match, v.exists, [&](const entity_tag& t) {
    return v.exists && v.etag && strong_match(t, *v.etag);
  });
}

// §13.1.2 If-None-Match: false for "*" when a current representation exists, or when one
// listed tag weakly matches its ETag.
condition if_none_match(const conditions& c, const validators& v) {
  if (!c.if_none_match) return condition::absent;
  const condition any = evaluate_tag_list(*c.if_none_match, v.exists, [&](const entity_tag& t) {
    return v.exists && v.etag && weak_match(t, *v.etag);
  });
  if (any == condition::is_true) return condition::is_false;
  if (any == condition::is_false) return condition::is_true;
  return any;
}

// §13.1.4 If-Unmodified-Since: true when the representation was last modified at or before
// the date. Ignored (absent) when the date is not a valid HTTP-date or the resource has no
// modification date; the caller ignores it when If-Match is present.
condition if_unmodified_since(const conditions& c, const validators& v, std::time_t now) {
  if (!c.if_unmodified_since || !v.last_modified || !v.exists) return condition::absent;
  const std::optional<std::time_t> date = parse_http_date(*c.if_unmodified_since, now);
  if (!date) return condition::absent;
  return condition_of(*v.last_modified <= *date);
}

// §13.1.3 If-Modified-Since: false (not modified) when the representation was last modified at
// or before the date. Ignored when the date is invalid (a list of dates is invalid too, as the
// comma breaks the date), when the resource has no modification date, and when the date is
// later than the server's clock: such a date cannot come from a Last-Modified this server sent.
condition if_modified_since(const conditions& c, const validators& v, std::time_t now) {
  if (!c.if_modified_since || !v.last_modified || !v.exists) return condition::absent;
  const std::optional<std::time_t> date = parse_http_date(*c.if_modified_since, now);
  if (!date || *date > now) return condition::absent;
  return condition_of(*v.last_modified > *date);
}

bool is_get_or_head(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD";  // methods are case-sensitive (§9.1)
}

void append_hex(std::uint64_t n, std::string& out) {
  char buf[16];
  const auto r = std::to_chars(buf, buf + sizeof buf, n, 16);
  out.append(buf, r.ptr);
}

}  // namespace

std::optional<entity_tag> parse_entity_tag(std::string_view text) noexcept {
  std::optional<entity_tag> tag = take_entity_tag(text);
  if (!text.empty()) return std::nullopt;
  return tag;
}

bool strong_match(const entity_tag& a, const entity_tag& b) noexcept {
  return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const entity_tag& a, const entity_tag& b) noexcept {
  return a.opaque == b.opaque;
}

namespace {

// Bytes outside [A-Za-z0-9._] are written %XX, so that the tag stays a valid etagc sequence
// whatever the variant holds and two variants never share a tag.
void append_variant(std::string_view variant, std::string& out) {
  if (variant.empty()) return;
  out += '-';
  for (char ch : variant) {
    if (ascii::is_alpha(ch) || ascii::is_digit(ch) || ch == '.' || ch == '_') {
      out += ch;
    } else {
      constexpr char hex[] = "0123456789ABCDEF";
      const auto b = static_cast<unsigned char>(ch);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0xf];
    }
  }
}

// A time before 1970 is written in two's complement: still one distinct string per value.
void append_time(std::int64_t sec, std::int64_t nsec, std::string& out) {
  append_hex(static_cast<std::uint64_t>(sec), out);
  out += '.';
  append_hex(static_cast<std::uint64_t>(nsec), out);
}

}  // namespace

void format_file_etag(std::uint64_t device, std::uint64_t inode, std::uint64_t size,
                      std::int64_t mtime_sec, std::int64_t mtime_nsec, std::string_view variant,
                      std::string& out) {
  out.clear();
  out += '"';
  append_hex(device, out);
  out += '-';
  append_hex(inode, out);
  out += '-';
  append_hex(size, out);
  out += '-';
  append_time(mtime_sec, mtime_nsec, out);
  append_variant(variant, out);
  out += '"';
}

void format_portable_file_etag(std::uint64_t size, std::int64_t mtime_sec, std::int64_t mtime_nsec,
                               std::string_view variant, std::string& out) {
  out.clear();
  out += '"';
  append_hex(size, out);
  out += '-';
  append_time(mtime_sec, mtime_nsec, out);
  append_variant(variant, out);
  out += '"';
}

// §13.2.2, steps 1 to 4 in order (step 5, If-Range, is if_range_allows, applied by the caller
// when it is about to answer 206). Step 1's exception — a 2xx when the state change requested
// has already happened — needs knowledge of the method's effect and is left to the caller.
precondition_result evaluate_preconditions(std::string_view method, const conditions& c,
                                           const validators& v, std::time_t now) noexcept {
  const bool safe_read = is_get_or_head(method);
  const condition match = if_match(c, v);
  // A malformed If-Match cannot be shown to hold: fail as if false, never risk a lost update.
  if (match == condition::is_false || match == condition::malformed) {
    return precondition_result::precondition_failed;
  }
  if (match == condition::absent && if_unmodified_since(c, v, now) == condition::is_false) {
    return precondition_result::precondition_failed;
  }
  const condition none_match = if_none_match(c, v);
  if (none_match == condition::is_false) {
    return safe_read ? precondition_result::not_modified : precondition_result::precondition_failed;
  }
  // A malformed If-None-Match: for GET/HEAD the full response is the harmless answer; another
  // method is not performed, as its guard could not be read.
  if (none_match == condition::malformed) {
    return safe_read ? precondition_result::proceed : precondition_result::precondition_failed;
  }
  if (safe_read && none_match == condition::absent &&
      if_modified_since(c, v, now) == condition::is_false) {
    return precondition_result::not_modified;
  }
  return precondition_result::proceed;
}

bool if_range_allows(std::optional<std::string_view> if_range, const validators& v) noexcept {
  if (!if_range) return true;
  if (!v.exists) return false;
  const std::string_view field = ascii::trim_ows(*if_range);
  // §13.1.5: a DQUOTE or "W/" at the front tells an entity-tag from an HTTP-date.
  if (field.starts_with('"') || field.starts_with("W/")) {
    const std::optional<entity_tag> tag = parse_entity_tag(field);
    return tag && v.etag && strong_match(*tag, *v.etag);
  }
  if (!v.last_modified) return false;
  // An exact match of the date, as §13.1.5 asks. The date is not checked for being strong in
  // the sense of §8.8.2.2 (a file rewritten twice within one second keeps its Last-Modified);
  // clients that care send the ETag, which changes with the nanoseconds.
  const std::optional<std::time_t> date = parse_http_date(field, *v.last_modified);
  return date && *date == *v.last_modified;
}

}  // namespace teapot::http
