// The If header field of WebDAV (RFC 4918 §10.4): its grammar and its evaluation, as pure
// functions. The handler supplies, for each resource the field names, its current entity tag
// and lock tokens.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::http {

struct if_condition {
  bool negated = false;  // "Not"
  enum class kind : unsigned char { state_token, entity_tag } what = kind::state_token;
  // state_token: the Coded-URL's URI without '<' '>'; entity_tag: the tag as written, with
  // its quotes and any "W/" (between '[' and ']').
  std::string_view value;
};

// One List: true when every condition is (RFC 4918 §10.4.2).
struct if_list {
  std::vector<if_condition> conditions;
};

// The lists after one Resource-Tag; resource is empty for the untagged form (No-tag-list),
// whose lists are about the request's target.
struct if_group {
  std::string_view resource;  // the Resource-Tag's URI without '<' '>', as written
  std::vector<if_list> lists;
};

struct if_field {
  bool tagged = false;
  std::vector<if_group> groups;  // untagged: exactly one, with an empty resource
};

// Views into value. nullopt: the field does not match the grammar of §10.4.2 (400): empty,
// tagged and untagged lists mixed, an empty list "()", a Resource-Tag without a list, LWS
// inside "<...>" or "[...]", a state token that is not an absolute URI, a Resource-Tag that is
// neither an absolute URI nor an absolute path, or bytes outside the grammar.
std::optional<if_field> parse_if_field(std::string_view value);

// A resource's state, as the handler knows it.
struct if_resource_state {
  bool exists = false;  // false: an unmapped URL, which has no entity tag (etag is ignored)
  std::string etag;     // the whole current tag, quotes included; empty: none
  // Of the locks whose scope takes the resource in. They count whether or not the resource
  // exists: an unmapped URL below a depth-infinity lock is in its scope (§7.4); for any other
  // unmapped URL the handler gives none, so that a positive condition on it is false.
  std::vector<std::string> lock_tokens;
};

// §10.4.3-§10.4.4: true when some list of some group is true for that group's resource.
// state(resource) is called once per group with its resource (empty for untagged), in order,
// until a list holds. Entity tags match by the strong comparison (a weak tag never matches);
// "DAV:no-lock" matches no lock.
bool evaluate_if_field(const if_field& f,
                       const std::function<if_resource_state(std::string_view)>& state);

// The lock tokens the request submits (§10.4.1 and §6.4): every state token the field names,
// negated or not, in order, once each ("DAV:no-lock" included: it equals no lock's token).
std::vector<std::string_view> submitted_lock_tokens(const if_field& f);

}  // namespace teapot::http
