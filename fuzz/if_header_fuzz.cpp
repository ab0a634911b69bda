// The If field of WebDAV (RFC 4918 §10.4). Input: the field value. A field that parses holds
// views into the input only, has the shape §10.4.2 gives it, and parses the same when written
// back plainly; evaluated against a resource with no state, it is true exactly when some list
// is made only of "Not" conditions (§10.4.3, §10.4.4); the tokens it submits are its state
// tokens, once each.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/if_header.h"

namespace {

using teapot::fuzz::check;
using teapot::http::if_condition;
using teapot::http::if_field;
using teapot::http::if_resource_state;

bool inside(std::string_view v, std::string_view in) {
  return v.data() >= in.data() && v.data() + v.size() <= in.data() + in.size();
}

void check_shape(const if_field& f, std::string_view in) {
  check(!f.groups.empty());
  check(f.tagged || f.groups.size() == 1);
  for (const auto& g : f.groups) {
    check(f.tagged != g.resource.empty());
    if (f.tagged) check(inside(g.resource, in));
    check(!g.lists.empty());
    for (const auto& list : g.lists) {
      check(!list.conditions.empty());
      for (const if_condition& c : list.conditions)
        check(!c.value.empty() && inside(c.value, in));
    }
  }
}

std::string write_back(const if_field& f) {
  std::string out;
  for (const auto& g : f.groups) {
    if (f.tagged) out += "<" + std::string(g.resource) + "> ";
    for (const auto& list : g.lists) {
      out += '(';
      for (const if_condition& c : list.conditions) {
        if (c.negated) out += "Not ";
        const bool token = c.what == if_condition::kind::state_token;
        out += (token ? "<" : "[") + std::string(c.value) + (token ? "> " : "] ");
      }
      out += ") ";
    }
  }
  return out;
}

bool same(const if_field& a, const if_field& b) {
  if (a.tagged != b.tagged || a.groups.size() != b.groups.size()) return false;
  for (std::size_t i = 0; i < a.groups.size(); ++i) {
    const auto& ga = a.groups[i];
    const auto& gb = b.groups[i];
    if (ga.resource != gb.resource || ga.lists.size() != gb.lists.size()) return false;
    for (std::size_t j = 0; j < ga.lists.size(); ++j) {
      const auto& ca = ga.lists[j].conditions;
      const auto& cb = gb.lists[j].conditions;
      if (ca.size() != cb.size()) return false;
      for (std::size_t k = 0; k < ca.size(); ++k) {
        if (ca[k].negated != cb[k].negated || ca[k].what != cb[k].what ||
            ca[k].value != cb[k].value) {
          return false;
        }
      }
    }
  }
  return true;
}

bool some_list_only_negated(const if_field& f) {
  for (const auto& g : f.groups) {
    for (const auto& list : g.lists) {
      bool all = true;
      for (const if_condition& c : list.conditions)
        all = all && c.negated;
      if (all) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = teapot::fuzz::as_text(data, size);
  const std::optional<if_field> f = teapot::http::parse_if_field(in);
  if (!f) return 0;
  check_shape(*f, in);

  const std::string again = write_back(*f);
  const std::optional<if_field> g = teapot::http::parse_if_field(again);
  check(g.has_value() && same(*f, *g));

  // A fixed state, with a tag and a token the seeds name, exercises both kinds of match.
  const bool held = teapot::http::evaluate_if_field(*f, [](std::string_view) {
    return if_resource_state{true, "\"x\"", {"urn:a", "DAV:no-lock"}};
  });
  static_cast<void>(held);
  const bool empty = teapot::http::evaluate_if_field(*f, [](std::string_view) {
    return if_resource_state{false, "\"x\"", {}};
  });
  check(empty == some_list_only_negated(*f));

  const std::vector<std::string_view> tokens = teapot::http::submitted_lock_tokens(*f);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    check(inside(tokens[i], in));
    for (std::size_t j = 0; j < i; ++j)
      check(tokens[i] != tokens[j]);
  }
  return 0;
}
