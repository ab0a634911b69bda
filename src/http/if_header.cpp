#include "http/if_header.h"

#include <algorithm>
#include <cstddef>

#include "base/ascii.h"
#include "http/validators.h"

namespace teapot::http {
namespace {

namespace ascii = teapot::base::ascii;

// The implied *LWS of RFC 4918's grammar (RFC 2616 §2.1). A field value reaches us with any
// obs-fold already replaced by SP (RFC 9112 §5.2), so SP and HTAB are all there is to skip.
void skip_lws(std::string_view& in) noexcept {
  while (!in.empty() && ascii::is_ows(in.front()))
    in.remove_prefix(1);
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 §3.1), at the front.
bool starts_with_scheme(std::string_view uri) noexcept {
  if (uri.empty() || !ascii::is_alpha(uri.front())) return false;
  std::size_t i = 1;
  while (i < uri.size() && (ascii::is_alpha(uri[i]) || ascii::is_digit(uri[i]) || uri[i] == '+' ||
                            uri[i] == '-' || uri[i] == '.')) {
    ++i;
  }
  return i < uri.size() && uri[i] == ':';
}

bool all_uri_chars(std::string_view uri) noexcept {
  return std::all_of(uri.begin(), uri.end(), [](char c) { return ascii::is_target_char(c); });
}

// State-token = Coded-URL = "<" absolute-URI ">" (§10.4.2, §6.5 of RFC 4918). The URI is
// checked for its alphabet and its scheme only: a token is compared, never resolved.
bool is_coded_url_uri(std::string_view uri) noexcept {
  return starts_with_scheme(uri) && all_uri_chars(uri);
}

// Resource-Tag = "<" Simple-ref ">"; Simple-ref = absolute-URI / ( path-absolute [ "?" query ] )
// (§8.3). A path-absolute never starts with "//", which would read as an authority.
bool is_simple_ref(std::string_view uri) noexcept {
  if (uri.empty()) return false;
  if (uri.front() == '/') return !uri.starts_with("//") && all_uri_chars(uri);
  return is_coded_url_uri(uri);
}

// Takes "<...>" from the front of in and gives what lies between; no LWS inside (§10.4.2).
std::optional<std::string_view> take_angled(std::string_view& in) noexcept {
  if (in.empty() || in.front() != '<') return std::nullopt;
  const std::size_t close = in.find('>', 1);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view inner = in.substr(1, close - 1);
  in.remove_prefix(close + 1);
  return inner;
}

// Takes "[" entity-tag "]" from the front of in and gives the tag as written. RFC 4918 takes
// entity-tag from RFC 2616 §3.11, wider than RFC 9110's: [ "W/" ] quoted-string, "W/" in any
// case (§2.1 there), the string free to hold spaces and quoted-pairs (§10.4.6's own example is
// ["I am an ETag"]). quoted-string is read as RFC 9110 §5.6.4 writes it. Such a tag parses,
// so that the field is not refused; it can only match a current tag with the same text.
// No LWS is allowed between the brackets and the tag (§10.4.2).
std::optional<std::string_view> take_bracketed_tag(std::string_view& in) noexcept {
  if (in.empty() || in.front() != '[') return std::nullopt;
  std::size_t i = 1;
  if (in.size() > 2 && (in[1] == 'W' || in[1] == 'w') && in[2] == '/') i = 3;
  if (i >= in.size() || in[i] != '"') return std::nullopt;
  for (++i; i < in.size() && in[i] != '"'; ++i) {
    if (in[i] == '\\') {
      ++i;  // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      if (i == in.size() || !ascii::is_field_content(in[i])) return std::nullopt;
    } else if (!ascii::is_qdtext(in[i])) {
      return std::nullopt;
    }
  }
  if (i + 1 >= in.size() || in[i + 1] != ']') return std::nullopt;
  const std::string_view tag = in.substr(1, i);
  in.remove_prefix(i + 2);
  return tag;
}

// Condition = ["Not"] (State-token | "[" entity-tag "]"); "Not" is an ABNF literal, so any
// case (RFC 5234 §2.3), and LWS may stand between it and what it negates.
std::optional<if_condition> take_condition(std::string_view& in) {
  if_condition c;
  if (in.size() >= 3 && ascii::iequals(in.substr(0, 3), "not")) {
    c.negated = true;
    in.remove_prefix(3);
    skip_lws(in);
  }
  if (!in.empty() && in.front() == '<') {
    const std::optional<std::string_view> uri = take_angled(in);
    if (!uri || !is_coded_url_uri(*uri)) return std::nullopt;
    c.what = if_condition::kind::state_token;
    c.value = *uri;
    return c;
  }
  const std::optional<std::string_view> tag = take_bracketed_tag(in);
  if (!tag) return std::nullopt;
  c.what = if_condition::kind::entity_tag;
  c.value = *tag;
  return c;
}

// List = "(" 1*Condition ")": "()" is malformed.
std::optional<if_list> take_list(std::string_view& in) {
  if (in.empty() || in.front() != '(') return std::nullopt;
  in.remove_prefix(1);
  if_list list;
  while (true) {
    skip_lws(in);
    if (in.empty()) return std::nullopt;
    if (in.front() == ')') break;
    std::optional<if_condition> c = take_condition(in);
    if (!c) return std::nullopt;
    list.conditions.push_back(*c);
  }
  in.remove_prefix(1);
  if (list.conditions.empty()) return std::nullopt;
  return list;
}

// §10.4.4 "Matching entity tag": the strong comparison (RFC 9110 §8.8.3.2), one of the two
// the section allows. The strong one keeps a write from landing on a representation that
// only resembles the one the client saw; a weak tag, on either side, never matches. A strong
// tag's text is its opaque part quoted, so equal texts are equal opaque parts.
bool etag_matches(std::string_view written, const if_resource_state& s) {
  if (!s.exists || written.front() != '"') return false;
  const std::optional<entity_tag> current = parse_entity_tag(s.etag);
  return current && !current->weak && written == s.etag;
}

// §10.4.4 "Matching state token": an exact match with a token of a lock whose scope takes the
// resource in. "DAV:no-lock" (§10.4.8) names no lock, so it matches nothing, whatever the
// handler listed. The tokens count even when the resource does not exist: an unmapped URL
// inside a depth-infinity lock is in its scope (§7.4), which the handler knows.
bool lock_token_matches(std::string_view token, const if_resource_state& s) {
  if (token == "DAV:no-lock") return false;
  return std::any_of(s.lock_tokens.begin(), s.lock_tokens.end(),
                     [&](const std::string& t) { return t == token; });
}

// §10.4.3: a condition is true when the resource is in the state it describes; "Not" reverses
// it. For an unmapped URL (§10.4.4) the resource is treated as existing without that state, so
// a positive condition on it is false and a negated one true.
bool condition_holds(const if_condition& c, const if_resource_state& s) {
  const bool matched = c.what == if_condition::kind::entity_tag ? etag_matches(c.value, s)
                                                                : lock_token_matches(c.value, s);
  return matched != c.negated;
}

// §10.4.3: a List is the conjunction of its Conditions.
bool list_holds(const if_list& list, const if_resource_state& s) {
  return std::all_of(list.conditions.begin(), list.conditions.end(),
                     [&](const if_condition& c) { return condition_holds(c, s); });
}

}  // namespace

// §10.4.2: If = ( 1*No-tag-list | 1*Tagged-list ). The first byte decides which form the
// field takes; a list of the other form after it makes the field malformed, as does a
// Resource-Tag with no List after it.
std::optional<if_field> parse_if_field(std::string_view value) {
  std::string_view in = value;
  skip_lws(in);
  if (in.empty()) return std::nullopt;
  if_field f;
  f.tagged = in.front() == '<';
  if (!f.tagged) f.groups.emplace_back();
  while (true) {
    skip_lws(in);
    if (in.empty()) break;
    if (in.front() == '<') {
      if (!f.tagged) return std::nullopt;  // a Resource-Tag after a No-tag-list
      if (!f.groups.empty() && f.groups.back().lists.empty()) return std::nullopt;
      const std::optional<std::string_view> resource = take_angled(in);
      if (!resource || !is_simple_ref(*resource)) return std::nullopt;
      f.groups.push_back(if_group{*resource, {}});
      continue;
    }
    std::optional<if_list> list = take_list(in);
    if (!list) return std::nullopt;
    f.groups.back().lists.push_back(std::move(*list));
  }
  if (f.groups.back().lists.empty()) return std::nullopt;
  return f;
}

// §10.4.3: each Tagged-list or No-tag-list production is the disjunction of its Lists, and the
// field is true when at least one production is. So the field is true as soon as any list of
// any group holds for that group's resource. A Tagged-list naming a resource the method does
// not act on is evaluated all the same: RFC 4918 makes the field a precondition as a whole.
bool evaluate_if_field(const if_field& f,
                       const std::function<if_resource_state(std::string_view)>& state) {
  for (const if_group& g : f.groups) {
    const if_resource_state s = state(g.resource);
    for (const if_list& list : g.lists) {
      if (list_holds(list, s)) return true;
    }
  }
  return false;
}

std::vector<std::string_view> submitted_lock_tokens(const if_field& f) {
  std::vector<std::string_view> tokens;
  for (const if_group& g : f.groups) {
    for (const if_list& list : g.lists) {
      for (const if_condition& c : list.conditions) {
        if (c.what != if_condition::kind::state_token) continue;
        if (std::find(tokens.begin(), tokens.end(), c.value) == tokens.end()) {
          tokens.push_back(c.value);
        }
      }
    }
  }
  return tokens;
}

}  // namespace teapot::http
