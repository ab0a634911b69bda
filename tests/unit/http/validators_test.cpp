// Entity-tags, conditional requests and If-Range (RFC 9110 §8.8.3, §13), as tables.
#include "http/validators.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

using teapot::http::conditions;
using teapot::http::entity_tag;
using teapot::http::precondition_result;
using teapot::http::validators;

// ---------------------------------------------------------------------------------------------
// Entity-tags

struct tag_case {
  std::string_view why;
  std::string_view text;
  bool valid;
  std::string_view opaque;
  bool weak;
};

constexpr tag_case tag_cases[] = {
    {"a strong tag", R"("abc")", true, "abc", false},
    {"a weak tag", R"(W/"abc")", true, "abc", true},
    {"an empty opaque part is allowed", R"("")", true, "", false},
    {"a comma belongs to the opaque part", R"("a,b")", true, "a,b", false},
    {"obs-text is an etagc", "\"caf\xc3\xa9\"", true, "caf\xc3\xa9", false},
    {"the weak prefix is case-sensitive", R"(w/"abc")", false, "", false},
    {"unquoted", "abc", false, "", false},
    {"unterminated", R"("abc)", false, "", false},
    {"a quote inside", R"("a"b")", false, "", false},
    {"a space inside", R"("a b")", false, "", false},
    {"surrounding whitespace is not part of the grammar", R"( "abc")", false, "", false},
    {"trailing bytes", R"("abc"x)", false, "", false},
    {"two tags", R"("a", "b")", false, "", false},
    {"the wildcard is not a tag", "*", false, "", false},
    {"empty", "", false, "", false},
    {"the weak prefix alone", "W/", false, "", false},
};

TEST(parse_entity_tag, table) {
  for (const auto& c : tag_cases) {
    const auto tag = teapot::http::parse_entity_tag(c.text);
    ASSERT_EQ(tag.has_value(), c.valid) << c.why << ": " << c.text;
    if (!tag) continue;
    EXPECT_EQ(tag->opaque, c.opaque) << c.why;
    EXPECT_EQ(tag->weak, c.weak) << c.why;
  }
}

// §8.8.3.2's example table.
struct comparison_case {
  entity_tag a;
  entity_tag b;
  bool strong;
  bool weak;
};

constexpr comparison_case comparison_cases[] = {
    {{"1", true}, {"1", true}, false, true},    {{"1", true}, {"2", true}, false, false},
    {{"1", true}, {"1", false}, false, true},   {{"1", false}, {"1", false}, true, true},
    {{"1", false}, {"2", false}, false, false},
};

TEST(entity_tag_comparison, follows_the_rfc_example_table) {
  for (const auto& c : comparison_cases) {
    EXPECT_EQ(teapot::http::strong_match(c.a, c.b), c.strong) << c.a.opaque << " " << c.b.opaque;
    EXPECT_EQ(teapot::http::weak_match(c.a, c.b), c.weak) << c.a.opaque << " " << c.b.opaque;
  }
}

// ---------------------------------------------------------------------------------------------
// format_file_etag

struct file_identity {
  std::uint64_t device = 0x803;
  std::uint64_t inode = 0x1a2b3c;
  std::uint64_t size = 1000;
  std::int64_t sec = 1700000000;
  std::int64_t nsec = 123456789;
  std::string_view variant = {};
};

std::string etag_of(const file_identity& f) {
  std::string out = "stale contents";
  teapot::http::format_file_etag(f.device, f.inode, f.size, f.sec, f.nsec, f.variant, out);
  return out;
}

TEST(list_entity_tags, gives_the_tags_in_order_and_nothing_for_star_or_garbage) {
  const auto tags = teapot::http::list_entity_tags(R"( W/"a", "b,c" ,, "d")");
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_TRUE(tags[0].weak);
  EXPECT_EQ(tags[0].opaque, "a");
  EXPECT_EQ(tags[1].opaque, "b,c");  // a comma inside the quotes is the tag's
  EXPECT_FALSE(tags[2].weak);
  EXPECT_EQ(tags[2].opaque, "d");
  EXPECT_TRUE(teapot::http::list_entity_tags("*").empty());
  EXPECT_TRUE(teapot::http::list_entity_tags(R"("a", b)").empty());
}

TEST(format_file_etag, writes_a_compact_strong_tag) {
  EXPECT_EQ(etag_of({}), R"("803-1a2b3c-3e8-6553f100.75bcd15")");
  EXPECT_EQ(etag_of({.variant = "br"}), R"("803-1a2b3c-3e8-6553f100.75bcd15-br")");
}

TEST(format_portable_file_etag, leaves_out_device_and_inode) {
  std::string out = "stale";
  teapot::http::format_portable_file_etag(1000, 1700000000, 123456789, {}, out);
  EXPECT_EQ(out, R"("3e8-6553f100.75bcd15")");
  teapot::http::format_portable_file_etag(1000, 1700000000, 123456789, "br", out);
  EXPECT_EQ(out, R"("3e8-6553f100.75bcd15-br")");
  teapot::http::format_portable_file_etag(1001, 1700000000, 123456789, {}, out);
  EXPECT_EQ(out, R"("3e9-6553f100.75bcd15")");
}

TEST(format_file_etag, is_the_same_for_the_same_file) {
  EXPECT_EQ(etag_of({}), etag_of({}));
  EXPECT_EQ(etag_of({.variant = "gzip"}), etag_of({.variant = "gzip"}));
}

TEST(format_file_etag, differs_when_any_input_differs) {
  const file_identity variations[] = {
      {},
      {.device = 0x804},
      {.inode = 0x1a2b3d},
      {.size = 1001},
      {.sec = 1700000001},
      {.nsec = 123456790},
      {.nsec = 0},
      {.sec = -1},
      {.variant = "br"},
      {.variant = "gzip"},
      {.variant = "zstd"},
      {.variant = "br.1"},
      {.variant = "br%2E1"},
      {.variant = "a b"},
      // Fields that would collide if they were written side by side without separators.
      {.device = 0x80, .inode = 0x31a2b3c},
      {.size = 0x3e, .sec = 0x86553f100},
  };
  std::set<std::string> seen;
  for (const auto& f : variations)
    EXPECT_TRUE(seen.insert(etag_of(f)).second) << etag_of(f);
}

TEST(format_file_etag, always_parses_as_a_strong_entity_tag) {
  const file_identity files[] = {
      {},
      {.device = UINT64_MAX, .inode = UINT64_MAX, .size = UINT64_MAX},
      {.sec = INT64_MIN, .nsec = 999999999},
      {.variant = "br"},
      {.variant = "a \"quoted\"\r\nvariant"},
  };
  for (const auto& f : files) {
    const std::string tag = etag_of(f);
    const auto parsed = teapot::http::parse_entity_tag(tag);
    ASSERT_TRUE(parsed.has_value()) << tag;
    EXPECT_FALSE(parsed->weak) << tag;
  }
}

// ---------------------------------------------------------------------------------------------
// evaluate_preconditions (§13.2.2)

// Sun, 06 Nov 1994 08:49:37 GMT; the server's clock is one day later.
constexpr std::time_t modified = 784111777;
constexpr std::time_t now = modified + 86400;

constexpr std::string_view lm_date = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view lm_rfc850 = "Sunday, 06-Nov-94 08:49:37 GMT";
constexpr std::string_view lm_asctime = "Sun Nov  6 08:49:37 1994";
constexpr std::string_view earlier = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr std::string_view earlier_asctime = "Sat Nov  5 08:49:37 1994";
constexpr std::string_view later = "Sun, 06 Nov 1994 08:49:38 GMT";
constexpr std::string_view at_now = "Mon, 07 Nov 1994 08:49:37 GMT";
constexpr std::string_view after_now = "Mon, 07 Nov 1994 08:49:38 GMT";
constexpr std::string_view bad_date = "sun, 06 nov 1994 08:49:37 gmt";

enum class rep : std::uint8_t { strong, weak, no_etag, no_date, missing };

validators validators_of(rep r) {
  validators v;
  v.etag = entity_tag{"abc", false};
  v.last_modified = modified;
  switch (r) {
    case rep::strong:
      break;
    case rep::weak:
      v.etag = entity_tag{"abc", true};
      break;
    case rep::no_etag:
      v.etag.reset();
      break;
    case rep::no_date:
      v.last_modified.reset();
      break;
    case rep::missing:
      v.etag.reset();
      v.last_modified.reset();
      v.exists = false;
      break;
  }
  return v;
}

using field = std::optional<std::string_view>;
constexpr field none = std::nullopt;

constexpr auto proceed = precondition_result::proceed;
constexpr auto not_modified = precondition_result::not_modified;
constexpr auto failed = precondition_result::precondition_failed;

struct precondition_case {
  std::string_view why;
  std::string_view method;
  field if_match;
  field if_unmodified_since;
  field if_none_match;
  field if_modified_since;
  rep representation;
  precondition_result expected;
};

const precondition_case precondition_cases[] = {
    // Step 1: If-Match (§13.1.1), strong comparison.
    {"no conditions", "GET", none, none, none, none, rep::strong, proceed},
    {"If-Match with the current tag", "GET", R"("abc")", none, none, none, rep::strong, proceed},
    {"If-Match with another tag", "GET", R"("xyz")", none, none, none, rep::strong, failed},
    {"If-Match * with a representation", "PUT", "*", none, none, none, rep::strong, proceed},
    {"If-Match * without a representation", "PUT", "*", none, none, none, rep::missing, failed},
    {"If-Match with a weak tag never matches strongly", "PUT", R"(W/"abc")", none, none, none,
     rep::strong, failed},
    {"If-Match against a weak current tag", "PUT", R"("abc")", none, none, none, rep::weak, failed},
    {"If-Match list containing the tag", "PUT", R"("x", "abc")", none, none, none, rep::strong,
     proceed},
    {"If-Match list with tabs and spaces", "PUT", " \"x\" ,\t\"abc\"  ", none, none, none,
     rep::strong, proceed},
    {"If-Match list with empty elements", "PUT", R"(,"abc",,)", none, none, none, rep::strong,
     proceed},
    {"If-Match list without the tag", "PUT", R"("x","y")", none, none, none, rep::strong, failed},
    {"If-Match unquoted is malformed", "PUT", "abc", none, none, none, rep::strong, failed},
    {"If-Match unterminated is malformed", "PUT", R"("abc)", none, none, none, rep::strong, failed},
    {"If-Match * mixed with tags is malformed", "PUT", R"(*, "abc")", none, none, none, rep::strong,
     failed},
    {"If-Match lower-case weak prefix is malformed", "PUT", R"(w/"abc")", none, none, none,
     rep::strong, failed},
    {"If-Match tags without a comma are malformed", "PUT", R"("abc" "x")", none, none, none,
     rep::strong, failed},
    {"If-Match empty list matches nothing", "PUT", "", none, none, none, rep::strong, failed},
    {"If-Match a comma inside a tag does not split it", "PUT", R"("x,abc")", none, none, none,
     rep::strong, failed},
    {"If-Match opaque tags are case-sensitive", "PUT", R"("ABC")", none, none, none, rep::strong,
     failed},
    {"If-Match on a resource without ETag", "PUT", R"("abc")", none, none, none, rep::no_etag,
     failed},
    {"If-Match on a missing resource", "PUT", R"("abc")", none, none, none, rep::missing, failed},
    {"If-Match on DELETE with the tag", "DELETE", R"("abc")", none, none, none, rep::strong,
     proceed},
    {"If-Match on POST with another tag", "POST", R"("xyz")", none, none, none, rep::strong,
     failed},
    {"If-Match on HEAD with another tag", "HEAD", R"("xyz")", none, none, none, rep::strong,
     failed},

    // Step 2: If-Unmodified-Since (§13.1.4), only without If-Match.
    {"IUS equal to Last-Modified", "PUT", none, lm_date, none, none, rep::strong, proceed},
    {"IUS later than Last-Modified", "PUT", none, later, none, none, rep::strong, proceed},
    {"IUS earlier than Last-Modified", "PUT", none, earlier, none, none, rep::strong, failed},
    {"IUS applies to GET too", "GET", none, earlier, none, none, rep::strong, failed},
    {"IUS applies to DELETE", "DELETE", none, earlier, none, none, rep::strong, failed},
    {"IUS with an invalid date is ignored", "PUT", none, bad_date, none, none, rep::strong,
     proceed},
    {"IUS with garbage is ignored", "PUT", none, "yesterday", none, none, rep::strong, proceed},
    {"IUS without Last-Modified is ignored", "PUT", none, earlier, none, none, rep::no_date,
     proceed},
    {"IUS on a missing resource is ignored", "PUT", none, earlier, none, none, rep::missing,
     proceed},
    {"IUS in RFC 850 form, equal", "PUT", none, lm_rfc850, none, none, rep::strong, proceed},
    {"IUS in asctime form, earlier", "PUT", none, earlier_asctime, none, none, rep::strong, failed},
    {"IUS is ignored when If-Match is present and true", "PUT", R"("abc")", earlier, none, none,
     rep::strong, proceed},
    {"IUS is ignored when If-Match * is true", "PUT", "*", earlier, none, none, rep::strong,
     proceed},
    {"If-Match false decides before a true IUS", "PUT", R"("xyz")", later, none, none, rep::strong,
     failed},

    // Step 3: If-None-Match (§13.1.2), weak comparison.
    {"INM with the tag on GET", "GET", none, none, R"("abc")", none, rep::strong, not_modified},
    {"INM with the tag on HEAD", "HEAD", none, none, R"("abc")", none, rep::strong, not_modified},
    {"INM with the tag on PUT", "PUT", none, none, R"("abc")", none, rep::strong, failed},
    {"INM with the tag on DELETE", "DELETE", none, none, R"("abc")", none, rep::strong, failed},
    {"INM with the tag on POST", "POST", none, none, R"("abc")", none, rep::strong, failed},
    {"INM weak tag matches weakly", "GET", none, none, R"(W/"abc")", none, rep::strong,
     not_modified},
    {"INM against a weak current tag", "GET", none, none, R"("abc")", none, rep::weak,
     not_modified},
    {"INM with another tag", "GET", none, none, R"("xyz")", none, rep::strong, proceed},
    {"INM * on GET with a representation", "GET", none, none, "*", none, rep::strong, not_modified},
    {"INM * on PUT with a representation", "PUT", none, none, "*", none, rep::strong, failed},
    {"INM * on PUT without a representation creates", "PUT", none, none, "*", none, rep::missing,
     proceed},
    {"INM with a tag on a missing resource", "PUT", none, none, R"("abc")", none, rep::missing,
     proceed},
    {"INM list with spaces, weak member", "GET", none, none, R"( "x" , W/"abc" )", none,
     rep::strong, not_modified},
    {"INM list without the tag", "GET", none, none, R"("x", "y")", none, rep::strong, proceed},
    {"INM malformed on GET sends the full response", "GET", none, none, "abc", none, rep::strong,
     proceed},
    {"INM malformed on PUT is not performed", "PUT", none, none, R"("abc)", none, rep::strong,
     failed},
    {"INM on a resource without ETag", "GET", none, none, R"("abc")", none, rep::no_etag, proceed},
    {"If-Match true, then INM false on PUT", "PUT", R"("abc")", none, R"("abc")", none, rep::strong,
     failed},
    {"If-Match false decides before INM on GET", "GET", R"("xyz")", none, R"("abc")", none,
     rep::strong, failed},
    {"If-Match * and INM * on an existing resource", "PUT", "*", none, "*", none, rep::strong,
     failed},
    {"IUS false decides before INM on GET", "GET", none, earlier, R"("abc")", none, rep::strong,
     failed},
    {"methods are case-sensitive: get is not GET", "get", none, none, R"("abc")", none, rep::strong,
     failed},

    // Step 4: If-Modified-Since (§13.1.3), GET/HEAD only, without If-None-Match.
    {"IMS equal to Last-Modified (same second)", "GET", none, none, none, lm_date, rep::strong,
     not_modified},
    {"IMS later than Last-Modified", "GET", none, none, none, later, rep::strong, not_modified},
    {"IMS earlier than Last-Modified", "GET", none, none, none, earlier, rep::strong, proceed},
    {"IMS on HEAD", "HEAD", none, none, none, lm_date, rep::strong, not_modified},
    {"IMS is ignored on PUT", "PUT", none, none, none, lm_date, rep::strong, proceed},
    {"IMS is ignored on POST", "POST", none, none, none, lm_date, rep::strong, proceed},
    {"IMS is ignored on DELETE", "DELETE", none, none, none, lm_date, rep::strong, proceed},
    {"IMS equal to the server clock counts", "GET", none, none, none, at_now, rep::strong,
     not_modified},
    {"IMS later than the server clock is ignored", "GET", none, none, none, after_now, rep::strong,
     proceed},
    {"IMS with an invalid date is ignored", "GET", none, none, none, bad_date, rep::strong,
     proceed},
    {"IMS with two dates is invalid", "GET", none, none, none,
     "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT", rep::strong, proceed},
    {"IMS without Last-Modified is ignored", "GET", none, none, none, lm_date, rep::no_date,
     proceed},
    {"IMS on a missing resource is ignored", "GET", none, none, none, lm_date, rep::missing,
     proceed},
    {"IMS in RFC 850 form", "GET", none, none, none, lm_rfc850, rep::strong, not_modified},
    {"IMS in asctime form", "GET", none, none, none, lm_asctime, rep::strong, not_modified},
    {"IMS is ignored when INM is present and true", "GET", none, none, R"("xyz")", lm_date,
     rep::strong, proceed},
    {"INM false decides although IMS is earlier", "GET", none, none, R"("abc")", earlier,
     rep::strong, not_modified},
    {"IMS is ignored when INM is malformed", "GET", none, none, "abc", lm_date, rep::strong,
     proceed},
    {"IUS false decides before IMS", "GET", none, earlier, none, lm_date, rep::strong, failed},
    {"If-Match true, then IMS false", "GET", R"("abc")", none, none, lm_date, rep::strong,
     not_modified},
    {"If-Match false decides before IMS", "GET", R"("xyz")", none, none, lm_date, rep::strong,
     failed},
    {"all four hold except freshness: 304", "GET", R"("abc")", later, R"("abc")", lm_date,
     rep::strong, not_modified},
    {"all four on HEAD with a changed tag", "HEAD", R"("abc")", later, R"("old")", earlier,
     rep::strong, proceed},
};

TEST(evaluate_preconditions, table_of_rfc9110_section_13_2_2) {
  static_assert(std::size(precondition_cases) >= 60);
  for (const auto& c : precondition_cases) {
    conditions cond;
    cond.if_match = c.if_match;
    cond.if_unmodified_since = c.if_unmodified_since;
    cond.if_none_match = c.if_none_match;
    cond.if_modified_since = c.if_modified_since;
    EXPECT_EQ(
        teapot::http::evaluate_preconditions(c.method, cond, validators_of(c.representation), now),
        c.expected)
        << c.why;
  }
}

// ---------------------------------------------------------------------------------------------
// if_range_allows (§13.1.5)

struct if_range_case {
  std::string_view why;
  field if_range;
  rep representation;
  bool expected;
};

const if_range_case if_range_cases[] = {
    {"absent: the Range applies", none, rep::strong, true},
    {"the current strong tag", R"("abc")", rep::strong, true},
    {"the tag with surrounding whitespace", " \"abc\"\t", rep::strong, true},
    {"a weak tag never matches", R"(W/"abc")", rep::strong, false},
    {"another tag", R"("xyz")", rep::strong, false},
    {"the current tag is weak", R"("abc")", rep::weak, false},
    {"no current tag", R"("abc")", rep::no_etag, false},
    {"a list is not an If-Range value", R"("abc", "x")", rep::strong, false},
    {"a malformed tag", R"("abc)", rep::strong, false},
    {"the exact Last-Modified date", lm_date, rep::strong, true},
    {"the exact date in RFC 850 form", lm_rfc850, rep::strong, true},
    {"one second later", later, rep::strong, false},
    {"one second earlier", earlier, rep::strong, false},
    {"a date without Last-Modified", lm_date, rep::no_date, false},
    {"an invalid date", bad_date, rep::strong, false},
    {"garbage", "whenever", rep::strong, false},
    {"empty", "", rep::strong, false},
    {"a missing resource", R"("abc")", rep::missing, false},
};

TEST(if_range_allows, table) {
  for (const auto& c : if_range_cases) {
    EXPECT_EQ(teapot::http::if_range_allows(c.if_range, validators_of(c.representation)),
              c.expected)
        << c.why;
  }
}

}  // namespace
