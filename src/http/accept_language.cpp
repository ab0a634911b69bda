#include "http/accept_language.h"

#include <cstddef>

#include "base/ascii.h"
#include "http/qvalue.h"

namespace teapot::http {
namespace {

using base::ascii::iequals;
using base::ascii::is_alpha;
using base::ascii::is_digit;
using base::ascii::to_lower;
using base::ascii::trim_ows;

// `whole` starts with `part` and the next character, if any, begins a new subtag.
bool is_subtag_prefix(std::string_view part, std::string_view whole) noexcept {
  return part.size() < whole.size() && whole[part.size()] == '-' &&
         iequals(part, whole.substr(0, part.size()));
}

// A tag with a private-use subtag sequence ("x-..."), which only an explicit request selects.
bool is_private_use(std::string_view tag) noexcept {
  for (std::size_t i = 0; i + 1 < tag.size(); ++i)
    if (to_lower(tag[i]) == 'x' && tag[i + 1] == '-' && (i == 0 || tag[i - 1] == '-')) return true;
  return false;
}

// language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*"   (RFC 4647 §2.1)
bool is_language_range(std::string_view r) noexcept {
  if (r == "*") return true;
  std::size_t run = 0;
  bool first = true;
  for (char c : r) {
    if (c == '-') {
      if (run == 0) return false;
      run = 0;
      first = false;
    } else if (is_alpha(c) || (!first && is_digit(c))) {
      if (++run > 8) return false;
    } else {
      return false;
    }
  }
  return run > 0;
}

struct language_range {
  std::string_view range;
  int weight = 1000;  // thousandths
};

// One list element: range [ OWS ";" OWS "q=" qvalue ]. The parameter name is case-insensitive
// (RFC 9110 §12.4.2).
bool parse_element(std::string_view element, language_range& out) noexcept {
  const std::size_t semi = element.find(';');
  out.range = trim_ows(element.substr(0, semi));
  out.weight = 1000;
  if (!is_language_range(out.range)) return false;
  if (semi == std::string_view::npos) return true;
  const std::string_view param = trim_ows(element.substr(semi + 1));
  if (param.size() < 2 || to_lower(param[0]) != 'q' || param[1] != '=') return false;
  return parse_qvalue(param.substr(2), out.weight);
}

// Walks the comma-separated list, skipping empty elements (RFC 9110 §5.6.1). `visit` is called
// with each element and its position; the walk stops at the first malformed element.
template <class Visit>
bool for_each_range(std::string_view field, Visit&& visit) {
  int position = 0;
  while (true) {
    const std::size_t comma = field.find(',');
    const std::string_view element = trim_ows(field.substr(0, comma));
    if (!element.empty()) {
      language_range parsed;
      if (!parse_element(element, parsed)) return false;
      visit(parsed, position++);
    }
    if (comma == std::string_view::npos) return true;
    field.remove_prefix(comma + 1);
  }
}

// How a range relates to a supported tag, strongest last.
enum class match_kind { none, wildcard, truncation, prefix, exact };

match_kind classify(std::string_view range, std::string_view tag, bool private_tag) noexcept {
  if (iequals(range, tag)) return match_kind::exact;
  if (is_subtag_prefix(tag, range)) return match_kind::truncation;
  if (private_tag) return match_kind::none;
  if (range == "*") return match_kind::wildcard;
  if (is_subtag_prefix(range, tag)) return match_kind::prefix;
  return match_kind::none;
}

struct tag_score {
  match_kind kind = match_kind::none;
  std::size_t distance = 0;  // length difference between range and tag, within a kind
  int weight = 0;
  int position = 0;
};

// True when `a` describes the tag more closely than `b` does.
bool is_closer(const tag_score& a, const tag_score& b) noexcept {
  if (a.kind != b.kind) return a.kind > b.kind;
  return a.distance < b.distance;
}

// The score a tag gets from the closest range of the field that matches it.
tag_score score_tag(std::string_view field, std::string_view tag) {
  const bool private_tag = is_private_use(tag);
  tag_score best;
  for_each_range(field, [&](const language_range& r, int position) {
    tag_score s;
    s.kind = classify(r.range, tag, private_tag);
    if (s.kind == match_kind::none) return;
    s.distance =
        r.range.size() > tag.size() ? r.range.size() - tag.size() : tag.size() - r.range.size();
    s.weight = r.weight;
    s.position = position;
    if (best.kind == match_kind::none || is_closer(s, best)) best = s;
  });
  return best;
}

// True when `a` is the better choice between two acceptable tags; equal scores keep the
// earlier tag of `supported`.
bool is_preferred(const tag_score& a, const tag_score& b) noexcept {
  if (a.weight != b.weight) return a.weight > b.weight;
  if (a.position != b.position) return a.position < b.position;
  return is_closer(a, b);
}

}  // namespace

std::string_view choose_language(std::string_view field,
                                 std::span<const std::string_view> supported) noexcept {
  if (supported.empty()) return {};
  const std::string_view fallback = supported.front();
  if (!for_each_range(field, [](const language_range&, int) {})) return fallback;
  std::string_view chosen = fallback;
  tag_score chosen_score;
  for (std::string_view tag : supported) {
    const tag_score s = score_tag(field, tag);
    if (s.kind == match_kind::none || s.weight == 0) continue;
    if (chosen_score.kind == match_kind::none || is_preferred(s, chosen_score)) {
      chosen = tag;
      chosen_score = s;
    }
  }
  return chosen;
}

std::optional<int> language_range_weight(std::string_view field, std::string_view tag) noexcept {
  if (!for_each_range(field, [](const language_range&, int) {})) return std::nullopt;
  const tag_score s = score_tag(field, tag);
  return s.kind == match_kind::none ? 0 : s.weight;
}

}  // namespace teapot::http
