#include "http/negotiation.h"

#include <cstdint>

#include "base/ascii.h"
#include "http/accept_language.h"
#include "http/qvalue.h"

namespace teapot::http {
namespace {

namespace ascii = teapot::base::ascii;

// A position in a field value; every take_* consumes what it matched and nothing on failure.
struct scanner {
  std::string_view text;
  std::size_t pos = 0;

  bool at_end() const noexcept { return pos == text.size(); }
  bool at(char c) const noexcept { return pos < text.size() && text[pos] == c; }
  void skip_ows() noexcept {
    while (pos < text.size() && ascii::is_ows(text[pos]))
      ++pos;
  }
  bool take_token(std::string_view& out) noexcept {
    const std::size_t start = pos;
    while (pos < text.size() && ascii::is_tchar(text[pos]))
      ++pos;
    out = text.substr(start, pos - start);
    return pos > start;
  }
  // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (§5.6.4), kept with its quotes.
  bool take_quoted_string(std::string_view& out) noexcept {
    const std::size_t start = pos;
    if (!at('"')) return false;
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
      if (text[i] == '"') {
        pos = i + 1;
        out = text.substr(start, pos - start);
        return true;
      }
      if (text[i] == '\\') {
        if (++i == text.size() || !ascii::is_field_content(text[i])) return false;
      } else if (!ascii::is_qdtext(text[i])) {
        return false;
      }
    }
    return false;
  }
};

// parameter = name "=" ( token / quoted-string ) (§5.6.6), after OWS ";" OWS.
bool take_parameter(scanner& s, std::string_view& name, std::string_view& value) noexcept {
  if (!s.take_token(name) || !s.at('=')) return false;
  ++s.pos;
  return s.take_token(value) || s.take_quoted_string(value);
}

// value = token / token "/" token, where "*/subtype" is no media range (§12.5.1).
bool take_value(scanner& s, std::string_view& out) noexcept {
  const std::size_t start = s.pos;
  std::string_view first;
  std::string_view second;
  if (!s.take_token(first)) return false;
  if (s.at('/')) {
    ++s.pos;
    if (!s.take_token(second) || (first == "*" && second != "*")) return false;
  }
  out = s.text.substr(start, s.pos - start);
  return true;
}

// element = value *( OWS ";" OWS parameter ) with at most one weight, "q", last (§12.4.2);
// the other parameters are kept verbatim. Stops before the "," or the end.
bool take_element(scanner& s, weighted_value& out) noexcept {
  out = weighted_value{};
  if (!take_value(s, out.value)) return false;
  std::size_t params_begin = 0;
  std::size_t params_end = 0;
  bool weighted = false;
  while (true) {
    s.skip_ows();
    if (s.at_end() || s.at(',')) break;
    if (!s.at(';') || weighted) return false;
    ++s.pos;
    s.skip_ows();
    const std::size_t start = s.pos;
    std::string_view name;
    std::string_view value;
    if (!take_parameter(s, name, value)) return false;
    if (ascii::iequals(name, "q")) {
      if (!parse_qvalue(value, out.q)) return false;
      weighted = true;
    } else {
      if (params_end == 0) params_begin = start;
      params_end = s.pos;
    }
  }
  if (params_end != 0) out.parameters = s.text.substr(params_begin, params_end - params_begin);
  return true;
}

// Walks a list (§5.6.1: OWS around commas, empty elements skipped), calling visit for each
// element; false at the first malformed one.
template <class Visit>
bool for_each_weighted(std::string_view field, Visit&& visit) {
  scanner s{field};
  while (true) {
    while (!s.at_end() && (s.at(',') || ascii::is_ows(s.text[s.pos])))
      ++s.pos;
    if (s.at_end()) return true;
    weighted_value element;
    if (!take_element(s, element)) return false;
    visit(element);
  }
}

bool is_blank(std::string_view field) noexcept {
  for (char c : field) {
    if (c != ',' && !ascii::is_ows(c)) return false;
  }
  return true;
}

// A field that is absent, malformed or an empty list puts no constraint on the choice (§12.5:
// a malformed field may be treated as absent).
bool constrains(std::optional<std::string_view> field) {
  return field && !is_blank(*field) && for_each_weighted(*field, [](const weighted_value&) {});
}

// True when every parameter of the range appears, with an equal value, among the media
// type's parameters (names and values compared case-insensitively).
bool has_parameters(std::string_view range_params, std::string_view type_params) {
  scanner r{range_params};
  while (!r.at_end()) {
    std::string_view name;
    std::string_view value;
    if (!take_parameter(r, name, value)) return false;
    bool found = false;
    scanner t{type_params};
    while (!found && !t.at_end()) {
      std::string_view n;
      std::string_view v;
      if (!take_parameter(t, n, v)) return false;
      found = ascii::iequals(n, name) && ascii::iequals(v, value);
      t.skip_ows();
      if (t.at(';')) ++t.pos;
      t.skip_ows();
    }
    if (!found) return false;
    r.skip_ows();
    if (r.at(';')) ++r.pos;
    r.skip_ows();
  }
  return true;
}

int count_parameters(std::string_view params) {
  scanner s{params};
  int count = 0;
  std::string_view name;
  std::string_view value;
  while (take_parameter(s, name, value)) {
    ++count;
    s.skip_ows();
    if (s.at(';')) ++s.pos;
    s.skip_ows();
  }
  return count;
}

// How specifically a media range names a media type (§12.5.1): -1 when it does not match,
// then */* < type/* < type/subtype, each outranked by the same with more parameters.
int specificity(const weighted_value& range, std::string_view type, const weighted_value& offered) {
  const std::size_t slash = range.value.find('/');
  if (slash == std::string_view::npos) return -1;
  const std::string_view range_type = range.value.substr(0, slash);
  const std::string_view range_subtype = range.value.substr(slash + 1);
  const std::size_t type_slash = type.find('/');
  int level = 0;
  if (range_type != "*") {
    if (!ascii::iequals(range_type, type.substr(0, type_slash))) return -1;
    level = 1;
    if (range_subtype != "*") {
      if (type_slash == std::string_view::npos ||
          !ascii::iequals(range_subtype, type.substr(type_slash + 1))) {
        return -1;
      }
      level = 2;
    }
  }
  if (!has_parameters(range.parameters, offered.parameters)) return -1;
  return level * 1000 + count_parameters(range.parameters);
}

// §8.4.1.3, §8.4.1.2: x-gzip and x-compress are gzip and compress; no coding is "identity".
std::string_view canonical_coding(std::string_view coding) noexcept {
  if (coding.empty()) return "identity";
  if (ascii::iequals(coding, "x-gzip")) return "gzip";
  if (ascii::iequals(coding, "x-compress")) return "compress";
  return coding;
}

}  // namespace

bool parse_weighted_list(std::string_view field, std::vector<weighted_value>& out) {
  out.clear();
  return for_each_weighted(field, [&](const weighted_value& v) { out.push_back(v); });
}

int media_type_quality(std::optional<std::string_view> accept, std::string_view media_type) {
  if (media_type.empty() || !constrains(accept)) return 1000;
  scanner s{media_type};
  weighted_value offered;
  if (!take_element(s, offered)) return 0;  // the server's own type is not a media type
  int best = -1;
  int weight = 0;
  for_each_weighted(*accept, [&](const weighted_value& range) {
    const int rank = specificity(range, offered.value, offered);
    if (rank > best) {  // equally specific ranges: the first one counts
      best = rank;
      weight = range.q;
    }
  });
  return weight;
}

int language_quality(std::optional<std::string_view> accept_language, std::string_view tag) {
  if (tag.empty() || !accept_language || is_blank(*accept_language)) return 1000;
  return language_range_weight(*accept_language, tag).value_or(1000);
}

int coding_quality(std::optional<std::string_view> accept_encoding, std::string_view coding) {
  const std::string_view wanted = canonical_coding(coding);
  const bool identity = ascii::iequals(wanted, "identity");
  if (!accept_encoding || !for_each_weighted(*accept_encoding, [](const weighted_value&) {})) {
    // Any coding is acceptable (§12.5.3), but a client that did not ask for one gets it only
    // when no unencoded variant is acceptable at all: the lowest positive weight.
    return identity ? 1000 : 1;
  }
  std::optional<int> exact;
  std::optional<int> any;
  for_each_weighted(*accept_encoding, [&](const weighted_value& v) {
    if (!exact && ascii::iequals(canonical_coding(v.value), wanted)) exact = v.q;
    if (!any && v.value == "*") any = v.q;
  });
  if (exact) return *exact;
  if (any) return *any;
  // Identity unless excluded (§12.5.3), but last: a client that lists only codings prefers each
  // of them, whatever its weight ("zstd;q=0.9, gzip;q=0.8" asks for zstd); others only when
  // listed.
  return identity ? 1 : 0;
}

negotiation_result choose_variant(std::span<const variant> variants,
                                  std::optional<std::string_view> accept,
                                  std::optional<std::string_view> accept_language,
                                  std::optional<std::string_view> accept_encoding) {
  negotiation_result result;
  std::int64_t best = 0;
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const variant& v = variants[i];
    const std::int64_t weight = std::int64_t{media_type_quality(accept, v.media_type)} *
                                language_quality(accept_language, v.language) *
                                coding_quality(accept_encoding, v.coding) * v.source_quality;
    if (weight > best) {
      best = weight;
      best_count = 1;
      result.chosen = i;
    } else if (weight == best && weight > 0) {
      ++best_count;
    }
  }
  result.tie = best_count > 1;
  result.none_acceptable = best == 0;
  return result;
}

}  // namespace teapot::http
