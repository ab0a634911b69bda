// Language choice from Accept-Language (RFC 9110 §12.5.4, RFC 4647), as a table.
#include "http/accept_language.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

namespace {

constexpr std::array<std::string_view, 2> en_fr = {"en", "fr"};
constexpr std::array<std::string_view, 3> en_fr_uwu = {"en", "fr", "fr-x-uwu"};

struct language_case {
  std::string_view why;
  std::string_view field;
  std::string_view expected;
};

constexpr language_case en_fr_cases[] = {
    {"an absent or empty field gives the default", "", "en"},
    {"an exact tag", "fr", "fr"},
    {"the default named explicitly", "en", "en"},
    {"tags compare case-insensitively", "FR", "fr"},
    {"a regional range is answered by its language", "fr-CA", "fr"},
    {"a longer regional range too", "fr-Latn-CA", "fr"},
    {"a numeric region subtag is a valid range", "fr-1234", "fr"},
    {"the highest weight wins", "en;q=0.5, fr;q=0.8", "fr"},
    {"a regional range keeps its weight", "fr-ca, en;q=0.5", "fr"},
    {"an unsupported first choice falls to the next", "de, fr;q=0.3", "fr"},
    {"nothing supported gives the default", "de, es", "en"},
    {"a wildcard takes the first supported tag", "*", "en"},
    {"q=0 excludes a tag even when a wildcard follows", "fr;q=0, *", "en"},
    {"q=0 on the default leaves the wildcard to the other", "en;q=0, *", "fr"},
    {"everything refused gives the default anyway", "en;q=0", "en"},
    {"equal weights: the first range in the field wins", "en, fr", "en"},
    {"equal weights, the other order", "fr, en", "fr"},
    {"equal explicit weights follow the field order", "fr;q=0.5, en;q=0.5", "fr"},
    {"a regional range beats a low wildcard", "fr-ca, *;q=0.1", "fr"},
    {"regional ranges of both languages by weight", "fr-CA;q=0.8, en-US;q=0.9", "en"},
    {"a typical browser field", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"},
    {"an exact range is preferred to a regional one for the same tag",
     "da, en-gb;q=0.8, en;q=0.7, fr;q=0.6", "en"},
    {"the smallest positive weight still counts", "fr;q=0.001, en;q=0", "fr"},
    {"q=1.000 is the highest weight", "en;q=0.9, fr;q=1.000", "fr"},
    {"the q name is case-insensitive", "en;q=0.8, fr;Q=0.9", "fr"},
    {"optional whitespace around the weight", "en ; q=0.1 , fr ; q=0.9", "fr"},
    {"tabs are whitespace too", "\tfr\t", "fr"},
    {"empty list elements are skipped", ",, fr ,,", "fr"},
    {"malformed: weight above 1", "fr;q=1.5", "en"},
    {"malformed: weight with four decimals", "fr;q=0.1234", "en"},
    {"malformed: weight that is not a number", "fr;q=abc", "en"},
    {"malformed: empty weight", "fr;q=", "en"},
    {"malformed: a parameter other than q", "fr;level=1", "en"},
    {"malformed: trailing hyphen", "fr-", "en"},
    {"malformed: empty subtag", "fr--ca", "en"},
    {"malformed: primary subtag with a digit", "1fr", "en"},
    {"malformed: subtag longer than eight characters", "fr-abcdefghi", "en"},
    {"malformed: one bad element spoils the field", "fr, en;q=2", "en"},
    {"malformed: a wildcard inside a tag", "fr-*", "en"},
};

TEST(choose_language, table_with_en_and_fr) {
  for (const auto& c : en_fr_cases)
    EXPECT_EQ(teapot::http::choose_language(c.field, en_fr), c.expected)
        << c.why << ": \"" << c.field << '"';
}

constexpr language_case private_use_cases[] = {
    {"a private-use tag is chosen when named", "fr-x-uwu", "fr-x-uwu"},
    {"named in another case", "FR-X-UWU", "fr-x-uwu"},
    {"plain French does not pick the private-use variant", "fr", "fr"},
    {"a wildcard never picks the private-use variant", "*", "en"},
    {"a wildcard after refusing the others still does not", "en;q=0, fr;q=0, *", "en"},
    {"French refused, the variant asked for", "fr;q=0, fr-x-uwu", "fr-x-uwu"},
    {"the variant at a lower weight than French", "fr-x-uwu;q=0.5, fr", "fr"},
    {"a longer range than the variant falls back to it", "fr-x-uwu-extra", "fr-x-uwu"},
    {"regional French does not pick the variant", "fr-CA", "fr"},
};

TEST(choose_language, private_use_tags_are_matched_only_when_asked_for) {
  for (const auto& c : private_use_cases)
    EXPECT_EQ(teapot::http::choose_language(c.field, en_fr_uwu), c.expected)
        << c.why << ": \"" << c.field << '"';
}

TEST(choose_language, private_use_range_falls_back_to_its_language_when_not_supported) {
  EXPECT_EQ(teapot::http::choose_language("fr-x-uwu", en_fr), "fr");
}

TEST(choose_language, returns_a_view_of_the_supported_element) {
  const auto chosen = teapot::http::choose_language("FR", en_fr);
  EXPECT_EQ(chosen.data(), en_fr[1].data());
}

TEST(choose_language, nothing_supported_gives_an_empty_view) {
  EXPECT_TRUE(teapot::http::choose_language("fr", {}).empty());
}

}  // namespace
