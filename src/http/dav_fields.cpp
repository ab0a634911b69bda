#include "http/dav_fields.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/ascii.h"
#include "http/path.h"

namespace teapot::http {
namespace {

namespace ascii = teapot::base::ascii;

// RFC 4918 §10.7: DAVTimeOutVal = 1*DIGIT, at most 2^32 - 1.
constexpr std::uint64_t max_timeout = 0xFFFFFFFFULL;

// One TimeType of §10.7: Infinite (nullopt) or a count of seconds, clamped; "bad" when the
// element is neither.
struct time_type {
  bool bad = false;
  std::optional<std::chrono::seconds> value;
};

time_type parse_time_type(std::string_view element) noexcept {
  if (ascii::iequals(element, "infinite")) return {};
  constexpr std::string_view prefix = "second-";
  if (element.size() <= prefix.size() || !ascii::iequals(element.substr(0, prefix.size()), prefix))
    return {true, std::nullopt};
  std::uint64_t n = 0;
  for (char c : element.substr(prefix.size())) {
    if (!ascii::is_digit(c)) return {true, std::nullopt};
    n = std::min(n * 10 + static_cast<unsigned>(c - '0'), max_timeout);
  }
  return {false, std::chrono::seconds(static_cast<std::int64_t>(n))};
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1); its length, 0 if none.
std::size_t scheme_length(std::string_view uri) noexcept {
  if (uri.empty() || !ascii::is_alpha(uri.front())) return 0;
  std::size_t i = 1;
  while (i < uri.size() && (ascii::is_alpha(uri[i]) || ascii::is_digit(uri[i]) || uri[i] == '+' ||
                            uri[i] == '-' || uri[i] == '.')) {
    ++i;
  }
  return i;
}

// reg-name = *( unreserved / pct-encoded / sub-delims ) (RFC 3986 §3.2.2); '@' is not among
// them, so userinfo, which RFC 9110 §4.2.4 forbids in http(s) URIs, is refused here.
bool is_reg_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!ascii::is_reg_name_char(name[i])) return false;
    if (name[i] != '%') continue;
    if (i + 2 >= name.size() || !ascii::is_hexdig(name[i + 1]) || !ascii::is_hexdig(name[i + 2]))
      return false;
    i += 2;
  }
  return true;
}

// authority = host [ ":" port ] with a non-empty host (RFC 9110 §4.2.1: an http URI with an
// empty host is invalid). An IP-literal is checked for its alphabet only.
bool is_authority(std::string_view a) noexcept {
  std::string_view host = a;
  std::string_view rest;
  if (!a.empty() && a.front() == '[') {
    const std::size_t close = a.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    const std::string_view inner = a.substr(1, close - 1);
    const bool literal = std::all_of(inner.begin(), inner.end(), [](char c) {
      return ascii::is_hexdig(c) || c == ':' || c == '.' || c == 'v' || c == 'V';
    });
    if (!literal) return false;
    host = a.substr(0, close + 1);
    rest = a.substr(close + 1);
  } else {
    const std::size_t colon = a.find(':');
    host = a.substr(0, colon);
    if (colon != std::string_view::npos) rest = a.substr(colon);
    if (!is_reg_name(host)) return false;
  }
  if (host.empty()) return false;
  if (rest.empty()) return true;
  if (rest.front() != ':') return false;
  rest.remove_prefix(1);
  return std::all_of(rest.begin(), rest.end(), [](char c) { return ascii::is_digit(c); });
}

// The bytes a URI may hold here: those of a request-target (so that a Destination is refused
// where the same URL as a request-target would be), and one '#' that starts a fragment.
bool has_uri_alphabet(std::string_view uri) noexcept {
  const std::size_t hash = uri.find('#');
  const std::string_view before = uri.substr(0, hash);
  const std::string_view fragment =
      hash == std::string_view::npos ? std::string_view{} : uri.substr(hash + 1);
  const auto ok = [](char c) { return ascii::is_target_char(c); };
  return std::all_of(before.begin(), before.end(), ok) &&
         std::all_of(fragment.begin(), fragment.end(), ok);
}

}  // namespace

// RFC 4918 §10.2: Depth = ( "0" | "1" | "infinity" ); "infinity" is an ABNF literal, so any case.
std::optional<depth> parse_depth(std::string_view value) noexcept {
  value = ascii::trim_ows(value);
  if (value == "0") return depth::zero;
  if (value == "1") return depth::one;
  if (ascii::iequals(value, "infinity")) return depth::infinity;
  return std::nullopt;
}

// RFC 4918 §10.6: Overwrite = "T" | "F".
std::optional<bool> parse_overwrite(std::string_view value) noexcept {
  value = ascii::trim_ows(value);
  if (ascii::iequals(value, "t")) return true;
  if (ascii::iequals(value, "f")) return false;
  return std::nullopt;
}

// RFC 4918 §10.7: TimeOut = 1#TimeType, TimeType = ( "Second-" DAVTimeOutVal | "Infinite" ).
// Empty list elements are allowed (RFC 9110 §5.6.1). Every element must match, so that a
// field the server cannot read as a whole never sets a timeout; the first element is taken,
// as every element of the grammar is one this server understands.
std::optional<std::chrono::seconds> parse_timeout(std::string_view value,
                                                  std::chrono::seconds absent) noexcept {
  std::optional<time_type> first;
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view element = ascii::trim_ows(value.substr(0, comma));
    if (!element.empty()) {
      const time_type t = parse_time_type(element);
      if (t.bad) return absent;
      if (!first) first = t;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (!first) return absent;
  return first->value;
}

// RFC 4918 §8.3 Simple-ref and §10.3 Destination: absolute-URI / ( path-absolute [ "?" query ] ).
// Only an absolute URI with an authority ("scheme://host...") names a resource this server
// could hold; "//host/x" (a network-path reference) and "a/b" (a relative path) are refused.
// A fragment, which Simple-ref does not allow but clients send, is dropped with the query.
std::optional<uri_target> parse_uri_target(std::string_view value) {
  if (value.empty() || !has_uri_alphabet(value)) return std::nullopt;
  uri_target t;
  std::string_view rest = value;
  if (rest.front() == '/') {
    if (rest.starts_with("//")) return std::nullopt;
  } else {
    const std::size_t n = scheme_length(rest);
    if (n == 0 || rest.substr(n, 3) != "://") return std::nullopt;
    t.scheme.reserve(n);
    for (char c : rest.substr(0, n))
      t.scheme += ascii::to_lower(c);
    rest.remove_prefix(n + 3);
    const std::size_t end = std::min(rest.find_first_of("/?#"), rest.size());
    const std::string_view authority = rest.substr(0, end);
    if (!is_authority(authority)) return std::nullopt;
    t.authority = authority;
    rest.remove_prefix(end);
  }
  rest = rest.substr(0, rest.find('#'));
  rest = rest.substr(0, rest.find('?'));
  if (rest.empty()) rest = "/";  // RFC 9110 §4.2.3: an empty path is "/"
  std::string scratch;
  std::string_view normalized;
  if (normalize_path(rest, scratch, normalized) != path_error::none) return std::nullopt;
  t.path = normalized;
  return t;
}

}  // namespace teapot::http
