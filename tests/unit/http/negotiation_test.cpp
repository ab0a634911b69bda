// Proactive negotiation (RFC 9110 §12): Accept-* parsing, the weight of one media type,
// language and coding, and the choice among variants, as tables.
#include "http/negotiation.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

namespace {

using teapot::http::variant;
using teapot::http::weighted_value;

using field = std::optional<std::string_view>;
constexpr field absent = std::nullopt;

// ---------------------------------------------------------------------------------------------
// parse_weighted_list

struct expected_value {
  std::string_view value;
  std::string_view parameters;
  int q;
  bool operator==(const expected_value&) const = default;
};

struct list_case {
  std::string_view why;
  std::string_view field;
  bool valid;
  std::vector<expected_value> elements;
};

const list_case list_cases[] = {
    {"one media type", "text/html", true, {{"text/html", "", 1000}}},
    {"a weight", "text/html;q=0.5", true, {{"text/html", "", 500}}},
    {"a parameter before the weight, with whitespace",
     "text/html ; level=1 ; q=0.5",
     true,
     {{"text/html", "level=1", 500}}},
    {"several parameters kept verbatim",
     "text/plain;format=fixed; charset=utf-8",
     true,
     {{"text/plain", "format=fixed; charset=utf-8", 1000}}},
    {"a quoted parameter may hold a comma",
     R"(text/plain;x="a,b";q=0.2, */*)",
     true,
     {{"text/plain", R"(x="a,b")", 200}, {"*/*", "", 1000}}},
    {"the RFC's Accept example",
     "text/*;q=0.3, text/plain;q=0.7, */*;q=0.5",
     true,
     {{"text/*", "", 300}, {"text/plain", "", 700}, {"*/*", "", 500}}},
    {"codings with a wildcard",
     "gzip;q=1.0, identity; q=0.5, *;q=0",
     true,
     {{"gzip", "", 1000}, {"identity", "", 500}, {"*", "", 0}}},
    {"language ranges", "fr-CA, fr;q=0.9", true, {{"fr-CA", "", 1000}, {"fr", "", 900}}},
    {"the weight's name is case-insensitive", "br;Q=0.25", true, {{"br", "", 250}}},
    {"the smallest weight", "br;q=0.001", true, {{"br", "", 1}}},
    {"one decimal", "br;q=0.5", true, {{"br", "", 500}}},
    {"1 with three zeros", "br;q=1.000", true, {{"br", "", 1000}}},
    {"a dot without decimals", "br;q=0.", true, {{"br", "", 0}}},
    {"empty elements and whitespace are skipped",
     " , gzip ,, br ,",
     true,
     {{"gzip", "", 1000}, {"br", "", 1000}}},
    {"an empty field is an empty list", "", true, {}},
    {"malformed: weight above 1", "br;q=1.1", false, {}},
    {"malformed: weight 1.0001", "br;q=1.0001", false, {}},
    {"malformed: four decimals", "br;q=0.1234", false, {}},
    {"malformed: empty weight", "br;q=", false, {}},
    {"malformed: weight not a number", "br;q=high", false, {}},
    {"malformed: negative weight", "br;q=-1", false, {}},
    {"malformed: weight without leading digit", "br;q=.5", false, {}},
    {"malformed: a parameter after the weight", "text/html;q=0.5;level=1", false, {}},
    {"malformed: two weights", "br;q=0.5;q=0.4", false, {}},
    {"malformed: a parameter without value", "text/html;level", false, {}},
    {"malformed: an unterminated quoted value", R"(text/html;x="a)", false, {}},
    {"malformed: a space inside the type", "text/ html", false, {}},
    {"malformed: a wildcard type with a subtype", "*/html", false, {}},
    {"malformed: no subtype", "text/", false, {}},
    {"malformed: no type", "/html", false, {}},
    {"malformed: two values without a comma", "gzip br", false, {}},
    {"malformed: a weight without a value", ";q=1", false, {}},
};

TEST(parse_weighted_list, table) {
  std::vector<weighted_value> out;
  for (const auto& c : list_cases) {
    ASSERT_EQ(teapot::http::parse_weighted_list(c.field, out), c.valid) << c.why;
    if (!c.valid) continue;
    std::vector<expected_value> got;
    for (const auto& v : out)
      got.push_back({v.value, v.parameters, v.q});
    EXPECT_EQ(got, c.elements) << c.why;
  }
}

// ---------------------------------------------------------------------------------------------
// media_type_quality (§12.5.1)

// RFC 9110 §12.5.1's example field.
constexpr std::string_view rfc_accept =
    "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, "
    "text/plain;format=fixed;q=0.4, */*;q=0.5";

struct quality_case {
  std::string_view why;
  field header;
  std::string_view offered;
  int expected;
};

const quality_case media_cases[] = {
    {"RFC example: type, subtype and parameter", rfc_accept, "text/plain;format=flowed", 1000},
    {"RFC example: type and subtype", rfc_accept, "text/plain", 700},
    {"RFC example: type/*", rfc_accept, "text/html", 300},
    {"RFC example: */*", rfc_accept, "image/jpeg", 500},
    {"RFC example: another parameter value", rfc_accept, "text/plain;format=fixed", 400},
    {"RFC example: an unlisted parameter leaves text/*", rfc_accept, "text/html;level=3", 300},
    {"absent field accepts everything", absent, "text/html", 1000},
    {"an empty field constrains nothing", "", "text/html", 1000},
    {"a malformed field is treated as absent", "text/html;q=2", "image/png", 1000},
    {"no range matches", "image/png", "text/html", 0},
    {"types compare case-insensitively", "TEXT/HTML;q=0.4", "text/html", 400},
    {"a more specific q=0 excludes despite */*", "*/*;q=0.1, text/html;q=0", "text/html", 0},
    {"a more specific range wins whatever the order", "text/html;q=0.2, text/*", "text/html", 200},
    {"equally specific ranges: the first counts", "text/html;q=0.2, text/html;q=0.9", "text/html",
     200},
    {"parameter values compare case-insensitively", "text/plain;charset=UTF-8;q=0.6",
     "text/plain; charset=utf-8", 600},
    {"a range parameter the type lacks does not match", "text/plain;charset=latin1", "text/plain",
     0},
    {"the type's extra parameters do not prevent a match", "text/plain;q=0.3",
     "text/plain;charset=utf-8", 300},
    {"an untyped variant is acceptable", "image/png", "", 1000},
};

TEST(media_type_quality, table) {
  for (const auto& c : media_cases)
    EXPECT_EQ(teapot::http::media_type_quality(c.header, c.offered), c.expected) << c.why;
}

// ---------------------------------------------------------------------------------------------
// language_quality (§12.5.4)

const quality_case language_cases[] = {
    {"absent field accepts every language", absent, "fr", 1000},
    {"an empty field constrains nothing", "", "fr", 1000},
    {"a variant without language is acceptable", "de", "", 1000},
    {"exact", "fr", "fr", 1000},
    {"case-insensitive", "FR;q=0.7", "fr", 700},
    {"basic filtering: a range matches longer tags", "fr;q=0.6", "fr-CA", 600},
    {"a prefix must end at a subtag boundary", "en", "english", 0},
    {"a regional range accepts its language's variant", "fr-CA;q=0.8", "fr", 800},
    {"the exact range beats the regional one", "fr-CA;q=0.9, fr;q=0.5", "fr", 500},
    {"the regional range beats the language for a regional tag", "fr;q=0.5, fr-CA;q=0.9", "fr-CA",
     900},
    {"another language", "de", "fr", 0},
    {"a wildcard", "*;q=0.5", "fr", 500},
    {"q=0 excludes despite a wildcard", "fr;q=0, *", "fr", 0},
    {"a malformed field is treated as absent", "fr;q=2", "de", 1000},
};

TEST(language_quality, table) {
  for (const auto& c : language_cases)
    EXPECT_EQ(teapot::http::language_quality(c.header, c.offered), c.expected) << c.why;
}

// ---------------------------------------------------------------------------------------------
// coding_quality (§12.5.3)

const quality_case coding_cases[] = {
    {"absent field: identity", absent, "", 1000},
    {"absent field: \"identity\" by name", absent, "identity", 1000},
    {"absent field: a coding is acceptable but last", absent, "gzip", 1},
    {"listed", "gzip, br", "br", 1000},
    {"not listed", "gzip", "br", 0},
    {"identity is acceptable when not listed, but last", "gzip", "", 1},
    {"a coding weighed below 1 still outweighs an unlisted identity", "zstd;q=0.9, gzip;q=0.8", "",
     1},
    {"identity;q=0 excludes it", "gzip, identity;q=0", "", 0},
    {"*;q=0 excludes identity too", "gzip, *;q=0", "", 0},
    {"*;q=0 with identity listed keeps it", "*;q=0, identity", "", 1000},
    {"the wildcard weighs unlisted codings", "*;q=0.5", "zstd", 500},
    {"the wildcard weighs identity too", "*;q=0.5", "", 500},
    {"a listed weight beats the wildcard", "br;q=0.9, *;q=0.1", "br", 900},
    {"q=0 refuses a listed coding", "gzip;q=0, *", "gzip", 0},
    {"names are case-insensitive", "GZIP;q=0.7", "gzip", 700},
    {"x-gzip in the field is gzip", "x-gzip", "gzip", 1000},
    {"x-gzip offered is gzip", "gzip;q=0.4", "x-gzip", 400},
    {"an empty field: identity only", "", "", 1},
    {"an empty field: no coding", "", "gzip", 0},
    {"a malformed field is treated as absent", "gzip;q=2", "gzip", 1},
    {"a malformed field keeps identity", "gzip;q=2", "", 1000},
};

TEST(coding_quality, table) {
  for (const auto& c : coding_cases)
    EXPECT_EQ(teapot::http::coding_quality(c.header, c.offered), c.expected) << c.why;
}

// ---------------------------------------------------------------------------------------------
// choose_variant

// The variants of a resource, in the server's order of preference.
const std::vector<variant> languages = {
    {"text/html", "en", ""}, {"text/html", "fr", ""}, {"text/html", "de", ""}};
const std::vector<variant> codings = {
    {"text/html", "", "br"}, {"text/html", "", "gzip"}, {"text/html", "", ""}};
const std::vector<variant> types = {{"text/html", "", ""}, {"application/json", "", ""}};
const std::vector<variant> gzip_only = {{"text/html", "", "gzip"}};
const std::vector<variant> mixed = {{"text/html", "en", "br"},
                                    {"text/html", "fr", "br"},
                                    {"text/html", "en", ""},
                                    {"text/html", "fr", ""}};
const std::vector<variant> type_and_language = {{"text/html", "fr", ""}, {"text/plain", "en", ""}};
const std::vector<variant> nothing = {};

struct choice_case {
  std::string_view why;
  const std::vector<variant>* variants;
  field accept;
  field accept_language;
  field accept_encoding;
  std::optional<std::size_t> chosen;
  bool tie;
};

constexpr std::optional<std::size_t> none_acceptable = std::nullopt;

const choice_case choice_cases[] = {
    {"no fields: the server's first, a tie", &languages, absent, absent, absent, 0, true},
    {"one language asked for", &languages, absent, "fr", absent, 1, false},
    {"the higher weight", &languages, absent, "de;q=0.5, fr;q=0.8", absent, 1, false},
    {"no language acceptable", &languages, absent, "es", absent, none_acceptable, false},
    {"a regional range reaches its language", &languages, absent, "fr-CA", absent, 1, false},
    {"a wildcard ties the rest", &languages, absent, "*;q=0.5, en;q=0", absent, 1, true},
    {"no Accept-Encoding: identity is preferred", &codings, absent, absent, absent, 2, false},
    {"codings at equal weight: the server's order", &codings, absent, absent, "gzip, br", 0, true},
    {"only gzip listed: gzip, before identity", &codings, absent, absent, "gzip", 1, false},
    {"weights decide between codings", &codings, absent, absent,
     "gzip;q=0.8, br;q=0.9, identity;q=0.5", 0, false},
    {"listed codings below 1 outweigh an unlisted identity", &codings, absent, absent,
     "gzip;q=0.8, br;q=0.9", 0, false},
    {"identity;q=0 alone leaves nothing", &codings, absent, absent, "identity;q=0", none_acceptable,
     false},
    {"*;q=0 leaves nothing", &codings, absent, absent, "*;q=0", none_acceptable, false},
    {"identity refused, br accepted", &codings, absent, absent, "br, identity;q=0", 0, false},
    {"a coded variant alone is served without Accept-Encoding", &gzip_only, absent, absent, absent,
     0, false},
    {"an empty Accept-Encoding refuses it", &gzip_only, absent, absent, "", none_acceptable, false},
    {"a media type asked for", &types, "application/json", absent, absent, 1, false},
    {"text/* picks the HTML variant", &types, "text/*", absent, absent, 0, false},
    {"no media type acceptable", &types, "image/*", absent, absent, none_acceptable, false},
    {"the more specific range's weight", &types, "*/*;q=0.1, application/json;q=0.2", absent,
     absent, 1, false},
    {"a malformed Accept is treated as absent", &types, "text/html;q=2", absent, absent, 0, true},
    {"language and coding together: the listed coding", &mixed, absent, "fr", "br", 1, false},
    {"language without Accept-Encoding: unencoded", &mixed, absent, "fr", absent, 3, false},
    {"the product of weights: type outweighs language", &type_and_language,
     "text/html, text/plain;q=0.4", "fr;q=0.5, en", absent, 0, false},
    {"the product of weights: language outweighs type", &type_and_language,
     "text/html, text/plain;q=0.4", "fr;q=0.3, en", absent, 1, false},
    {"no variants at all", &nothing, absent, absent, absent, none_acceptable, false},
};

TEST(choose_variant, table) {
  for (const auto& c : choice_cases) {
    const auto result =
        teapot::http::choose_variant(*c.variants, c.accept, c.accept_language, c.accept_encoding);
    EXPECT_EQ(result.chosen, c.chosen) << c.why;
    EXPECT_EQ(result.tie, c.tie) << c.why;
    EXPECT_EQ(result.none_acceptable, !c.chosen.has_value()) << c.why;
  }
}

}  // namespace
