#include "teapot/router.h"

#include <algorithm>

namespace teapot {

namespace {

constexpr std::string_view prefix_suffix = "/*";

bool is_prefix_pattern(std::string_view p) {
  return p.ends_with(prefix_suffix);
}

// Matches "/jobs/{id}/result" against a path, one segment per "{name}".
bool match_params(std::string_view pattern, std::string_view path, std::vector<path_param>& out) {
  std::size_t first = out.size();
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() == '{') {
      std::size_t close = pattern.find('}');
      std::size_t seg_end = path.find('/');
      if (seg_end == std::string_view::npos) seg_end = path.size();
      if (seg_end == 0) break;
      out.push_back({pattern.substr(1, close - 1), path.substr(0, seg_end)});
      pattern.remove_prefix(close + 1);
      path.remove_prefix(seg_end);
      continue;
    }
    if (pattern.front() != path.front()) break;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  if (pattern.empty() && path.empty()) return true;
  out.resize(first);
  return false;
}

void append_allow(std::string& allow, std::string_view method) {
  if (method == "*") return;
  // The list is short; a linear scan keeps it free of duplicates.
  std::string_view current = allow;
  std::size_t pos = 0;
  while (pos < current.size()) {
    std::size_t end = current.find(", ", pos);
    if (end == std::string_view::npos) end = current.size();
    if (current.substr(pos, end - pos) == method) return;
    pos = end + 2;
  }
  if (!allow.empty()) allow += ", ";
  allow += method;
}

}  // namespace

router& router::route(std::string_view method, std::string_view pattern, handler h,
                      route_options options) {
  entry e;
  e.method = std::string(method);
  e.is_prefix = is_prefix_pattern(pattern);
  e.pattern = std::string(e.is_prefix ? pattern.substr(0, pattern.size() - 1) : pattern);
  e.has_params = e.pattern.find('{') != std::string::npos;
  e.h = std::move(h);
  e.options = options;
  entries_.push_back(std::move(e));
  return *this;
}

void router::list_methods(std::string& allow) const {
  for (const auto& e : entries_) {
    append_allow(allow, e.method);
    if (e.method == "GET") append_allow(allow, "HEAD");
  }
}

void router::find(std::string_view method, std::string_view path, match& out) const {
  out.target = nullptr;
  out.options = {};
  out.any_method = false;
  out.allow.clear();
  out.params.clear();
  // Tiers in priority order: exact, parameter patterns, prefixes (longest first). The first
  // tier where the path matches decides: a route for the method, a GET route for HEAD, or
  // else 405 with the methods that tier knows for the path.
  const entry* exact_pick = nullptr;
  const entry* head_pick = nullptr;
  bool path_known = false;
  // The Allow list is built only for a 405, from the entries of the tier that knew the path.
  // Per thread: one router serves every worker at once.
  thread_local std::vector<const entry*> known;
  known.clear();
  auto take = [&](const entry& e) {
    path_known = true;
    known.push_back(&e);
    if (e.method == method || e.method == "*") {
      if (!exact_pick) exact_pick = &e;
    } else if (method == "HEAD" && e.method == "GET") {
      if (!head_pick) head_pick = &e;
    }
  };
  auto decide = [&]() {
    const entry* pick = exact_pick ? exact_pick : head_pick;
    if (pick) {
      out.target = &pick->h;
      out.options = pick->options;
      out.any_method = pick->method == "*";
    } else if (path_known) {
      for (const entry* k : known) {
        append_allow(out.allow, k->method);
        if (k->method == "GET") append_allow(out.allow, "HEAD");
      }
    }
    return path_known;
  };
  for (const auto& e : entries_)
    if (!e.is_prefix && !e.has_params && e.pattern == path) take(e);
  if (decide()) return;
  for (const auto& e : entries_) {
    if (e.is_prefix || !e.has_params) continue;
    if (!match_params(e.pattern, path, out.params)) continue;
    out.params.clear();
    take(e);
  }
  if (decide()) {
    // Only the parameters of the route that will run.
    const entry* pick = exact_pick ? exact_pick : head_pick;
    if (pick) match_params(pick->pattern, path, out.params);
    return;
  }
  std::size_t longest = 0;
  for (const auto& e : entries_)
    if (e.is_prefix && path.starts_with(e.pattern)) longest = std::max(longest, e.pattern.size());
  for (const auto& e : entries_)
    if (e.is_prefix && e.pattern.size() == longest && path.starts_with(e.pattern)) take(e);
  decide();
}

}  // namespace teapot
