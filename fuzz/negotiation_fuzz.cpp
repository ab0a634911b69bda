// Proactive negotiation (RFC 9110 §12): Accept, Accept-Language and Accept-Encoding, their
// weights, and the choice among variants. Input, one field per line: Accept, Accept-Language,
// Accept-Encoding, then a variant's media type, language and coding; "-" (or no line) leaves
// a field out. Checks the ranges of the weights, that every choice is one of the offers, and
// that a parsed list written back parses to the same list.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/accept_language.h"
#include "http/content_coding.h"
#include "http/negotiation.h"
#include "http/qvalue.h"

namespace {

using teapot::fuzz::check;
using teapot::http::weighted_value;

std::optional<std::string_view> field(const std::optional<std::string_view>& line) {
  if (!line || *line == "-") return std::nullopt;
  return line;
}

bool is_weight(int q) {
  return q >= 0 && q <= 1000;
}

std::string format_q(int q) {
  if (q == 1000) return "1";
  std::string digits = std::to_string(q);
  return "0." + std::string(3 - digits.size(), '0') + digits;
}

// parse → write → parse gives the same elements (parameters are kept verbatim).
void check_weighted_list(std::string_view text) {
  std::vector<weighted_value> list;
  if (!teapot::http::parse_weighted_list(text, list)) return;
  std::string again;
  for (const weighted_value& w : list) {
    check(!w.value.empty() && is_weight(w.q));
    if (!again.empty()) again += ", ";
    again += w.value;
    if (!w.parameters.empty()) again += ";" + std::string(w.parameters);
    again += ";q=" + format_q(w.q);
  }
  std::vector<weighted_value> round;
  check(teapot::http::parse_weighted_list(again, round));
  check(round.size() == list.size());
  for (std::size_t i = 0; i < list.size(); ++i)
    check(round[i].value == list[i].value && round[i].parameters == list[i].parameters &&
          round[i].q == list[i].q);
}

void check_qvalue(std::string_view text) {
  int q = -1;
  if (!teapot::http::parse_qvalue(text, q)) {
    check(q == -1);  // untouched on failure
    return;
  }
  check(is_weight(q));
  int again = -1;
  check(teapot::http::parse_qvalue(format_q(q), again) && again == q);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = teapot::fuzz::split_fields<6>(teapot::fuzz::as_text(data, size));
  const auto accept = field(lines[0]);
  const auto accept_language = field(lines[1]);
  const auto accept_encoding = field(lines[2]);
  const teapot::http::variant theirs{field(lines[3]).value_or(""), field(lines[4]).value_or(""),
                                     field(lines[5]).value_or("")};

  for (const auto& line : lines) {
    if (!line) continue;
    check_weighted_list(*line);
    check_qvalue(*line);
  }

  const std::array<teapot::http::variant, 6> variants{{
      {"text/html", "en", ""},
      {"text/html", "fr", "gzip"},
      {"text/plain;charset=utf-8", "fr-CA", "br"},
      {"application/json", "", "zstd"},
      {"image/png", "de-x-private", ""},
      theirs,
  }};
  for (const auto& v : variants) {
    check(is_weight(teapot::http::media_type_quality(accept, v.media_type)));
    check(is_weight(teapot::http::language_quality(accept_language, v.language)));
    check(is_weight(teapot::http::coding_quality(accept_encoding, v.coding)));
    if (accept_language) {
      const std::optional<int> w =
          teapot::http::language_range_weight(*accept_language, v.language);
      if (w) check(is_weight(*w));
    }
  }
  const teapot::http::negotiation_result r =
      teapot::http::choose_variant(variants, accept, accept_language, accept_encoding);
  check(r.none_acceptable == !r.chosen.has_value());
  if (r.chosen) check(*r.chosen < variants.size());
  if (r.none_acceptable) check(!r.tie);

  const std::array<std::string_view, 4> supported{"en", "fr", "fr-CA", "fr-x-uwu"};
  const std::string_view language =
      teapot::http::choose_language(accept_language.value_or(""), supported);
  check(language.data() == supported[0].data() || language.data() == supported[1].data() ||
        language.data() == supported[2].data() || language.data() == supported[3].data());
  check(teapot::http::choose_language(accept_language.value_or(""), {}).empty());

  const std::array<std::string_view, 4> offered{"zstd", "br", "gzip",
                                                field(lines[5]).value_or("x")};
  const std::optional<std::size_t> coding =
      teapot::http::choose_content_coding(accept_encoding, offered);
  if (coding) {
    check(*coding < offered.size());
    check(teapot::http::coding_quality(accept_encoding, offered[*coding]) > 0);
  }

  const std::vector<std::string> patterns{"text/*", "application/json", "+xml"};
  static_cast<void>(teapot::http::is_compressible_type(theirs.media_type, patterns));
  return 0;
}
