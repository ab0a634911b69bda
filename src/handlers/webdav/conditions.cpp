#include "handlers/webdav/conditions.h"

#include <algorithm>
#include <ctime>

#include "base/ascii.h"
#include "handlers/webdav/xml_bodies.h"
#include "http/dav_fields.h"
#include "http/validators.h"

namespace teapot::handlers::webdav {

bool if_context::read(const exchange_facts& facts) {
  auto v = facts.field("If");
  if (!v) return true;
  text_.assign(*v);
  field_ = http::parse_if_field(text_);
  return field_.has_value();
}

bool if_context::submits(std::string_view token) const noexcept {
  for (const std::string& t : extra_)
    if (t == token) return true;
  if (!field_) return false;
  for (const http::if_group& g : field_->groups)
    for (const http::if_list& l : g.lists)
      for (const http::if_condition& c : l.conditions)
        if (c.what == http::if_condition::kind::state_token && c.value == token) return true;
  return false;
}

std::optional<outcome> check_locks(area& a, const if_context& ifc,
                                   std::initializer_list<lock_scope> scopes) {
  const auto now = lock_clock::now();
  std::vector<std::string> missing;
  auto weigh = [&](const std::vector<lock_record>& locks) {
    // A resource under shared locks is writable with any one of their tokens; an exclusive
    // lock is only ever alone.
    bool held = false;
    for (const lock_record& l : locks)
      held = held || ifc.submits(l.token);
    if (held) return;
    for (const lock_record& l : locks) {
      std::string href = a.request_path(l.root, stat_resource(a.fs_path(l.root)).collection);
      if (std::find(missing.begin(), missing.end(), href) == missing.end())
        missing.push_back(std::move(href));
    }
  };
  for (const lock_scope& s : scopes) {
    weigh(a.db->locks_covering(s.path, now));
    if (!s.members) continue;
    // Locks below are weighed by the resource they lock: one token of a set of shared locks
    // on a member is enough for it, as on the target itself.
    std::vector<lock_record> below = a.db->locks_below(s.path, now);
    std::stable_sort(below.begin(), below.end(),
                     [](const lock_record& x, const lock_record& y) { return x.root < y.root; });
    for (auto first = below.begin(); first != below.end();) {
      auto last = std::find_if(first, below.end(),
                               [&first](const lock_record& l) { return l.root != first->root; });
      weigh(std::vector<lock_record>(first, last));
      first = last;
    }
  }
  if (missing.empty()) return std::nullopt;
  outcome o = outcome::of(http::status::locked);
  o.xml = error_body("lock-token-submitted", missing);
  return o;
}

namespace {

http::if_resource_state state_of(area& a, std::string_view apath) {
  http::if_resource_state s;
  resource_info r = stat_resource(a.fs_path(apath));
  s.exists = r.exists;
  s.etag = r.etag;
  for (const lock_record& l : a.db->locks_covering(apath, lock_clock::now()))
    s.lock_tokens.push_back(l.token);
  return s;
}

}  // namespace

namespace {

std::string canonical_authority(std::string_view authority, std::string_view scheme) {
  std::string out(authority);
  for (char& c : out)
    c = base::ascii::to_lower(c);
  const std::string_view default_port = scheme == "https" ? ":443" : ":80";
  if (std::string_view(out).ends_with(default_port)) out.resize(out.size() - default_port.size());
  return out;
}

}  // namespace

bool is_this_server(const exchange_facts& facts, std::string_view scheme,
                    std::string_view authority) {
  if (authority.empty()) return true;  // an absolute path
  return canonical_authority(authority, scheme) ==
         canonical_authority(facts.field("Host").value_or(""), scheme);
}

std::optional<outcome> check_conditions(area& a, const exchange_facts& facts, const if_context& ifc,
                                        const resource_info& target) {
  if (const http::if_field* f = ifc.field()) {
    auto state = [&](std::string_view resource) {
      if (resource.empty()) return state_of(a, facts.apath);
      auto uri = http::parse_uri_target(resource);
      if (!uri) return http::if_resource_state{};
      if (!is_this_server(facts, uri->scheme, uri->authority)) return http::if_resource_state{};
      auto apath = a.area_path(uri->path);
      if (!apath) return http::if_resource_state{};
      return state_of(a, *apath);
    };
    if (!http::evaluate_if_field(*f, state)) return outcome::of(http::status::precondition_failed);
  }
  http::conditions c{.if_match = facts.field("If-Match"),
                     .if_none_match = facts.field("If-None-Match"),
                     .if_modified_since = facts.field("If-Modified-Since"),
                     .if_unmodified_since = facts.field("If-Unmodified-Since")};
  http::validators v;
  v.exists = target.exists;
  if (target.exists) {
    if (!target.etag.empty()) v.etag = http::parse_entity_tag(target.etag);
    v.last_modified = target.mtime.tv_sec;
  }
  switch (http::evaluate_preconditions(facts.method, c, v, std::time(nullptr))) {
    case http::precondition_result::proceed:
      return std::nullopt;
    case http::precondition_result::not_modified:
      return outcome::of(http::status::not_modified);
    case http::precondition_result::precondition_failed:
      return outcome::of(http::status::precondition_failed);
  }
  return std::nullopt;
}

}  // namespace teapot::handlers::webdav
