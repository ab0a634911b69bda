// Byte ranges (RFC 9110 §14), as a table: the Range field, the representation's length, and
// the outcome with its ranges after sorting and coalescing.
#include "http/ranges.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using teapot::http::byte_range;
using teapot::http::range_outcome;
using teapot::http::range_selection;

constexpr auto whole = range_outcome::whole;
constexpr auto partial = range_outcome::partial;
constexpr auto unsatisfiable = range_outcome::unsatisfiable;

struct range_case {
  std::string_view why;
  std::string_view field;
  std::uint64_t length;
  range_outcome outcome;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // partial only
};

std::string seventeen_parts() {
  std::string field = "bytes=";
  for (int i = 0; i < 17; ++i)
    field += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1) + ",";
  return field;
}

std::string sixteen_parts() {
  std::string field = "bytes=";
  for (int i = 0; i < 16; ++i)
    field += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1) + ",";
  return field;
}

const std::string seventeen = seventeen_parts();
const std::string sixteen = sixteen_parts();

const range_case range_cases[] = {
    // The attack corpus' range-* entries, against its 1000-byte file.
    {"corpus range-unsatisfiable: first past the end", "bytes=100000-", 1000, unsatisfiable, {}},
    {"corpus range-u64-max-last: last clamps to the end",
     "bytes=0-18446744073709551615",
     1000,
     partial,
     {{0, 999}}},
    {"corpus range-huge-suffix: suffix beyond u64 is the whole",
     "bytes=-99999999999999999999999",
     1000,
     partial,
     {{0, 999}}},
    {"corpus range-first-gt-last: invalid spec rejected", "bytes=5-1", 1000, unsatisfiable, {}},
    {"corpus range-garbage: not a range-spec", "bytes=alpha", 1000, unsatisfiable, {}},

    // The three forms of range-spec (§14.1.1).
    {"first-last", "bytes=0-499", 1000, partial, {{0, 499}}},
    {"a single byte", "bytes=0-0", 1000, partial, {{0, 0}}},
    {"the last byte by position", "bytes=999-999", 1000, partial, {{999, 999}}},
    {"open-ended", "bytes=500-", 1000, partial, {{500, 999}}},
    {"open-ended from zero", "bytes=0-", 1000, partial, {{0, 999}}},
    {"suffix", "bytes=-500", 1000, partial, {{500, 999}}},
    {"suffix of one byte", "bytes=-1", 1000, partial, {{999, 999}}},
    {"suffix equal to the length", "bytes=-1000", 1000, partial, {{0, 999}}},
    {"suffix larger than the length", "bytes=-5000", 1000, partial, {{0, 999}}},
    {"last past the end is clamped", "bytes=900-2000", 1000, partial, {{900, 999}}},
    {"leading zeros", "bytes=000-0009", 1000, partial, {{0, 9}}},
    {"many leading zeros do not overflow",
     "bytes=00000000000000000000000001-2",
     1000,
     partial,
     {{1, 2}}},

    // The unit (§14.1, §14.2).
    {"the unit is case-insensitive", "BYTES=0-1", 1000, partial, {{0, 1}}},
    {"mixed case unit", "Bytes=0-1", 1000, partial, {{0, 1}}},
    {"another unit is ignored", "items=0-1", 1000, whole, {}},
    {"a unit that starts like bytes", "bytesx=0-1", 1000, whole, {}},
    {"no equals sign", "bytes 0-1", 1000, whole, {}},
    {"whitespace before the equals sign", "bytes =0-1", 1000, whole, {}},
    {"empty field", "", 1000, whole, {}},
    {"surrounding whitespace of the field", "  bytes=0-1 ", 1000, partial, {{0, 1}}},

    // Invalid range-sets: rejected (416).
    {"nothing after the equals sign", "bytes=", 1000, unsatisfiable, {}},
    {"only commas", "bytes=, ,", 1000, unsatisfiable, {}},
    {"a lone dash", "bytes=-", 1000, unsatisfiable, {}},
    {"no dash", "bytes=5", 1000, unsatisfiable, {}},
    {"two dashes", "bytes=1-2-3", 1000, unsatisfiable, {}},
    {"a negative first", "bytes=--5", 1000, unsatisfiable, {}},
    {"whitespace inside a spec", "bytes=0 - 1", 1000, unsatisfiable, {}},
    {"a plus sign", "bytes=+1-2", 1000, unsatisfiable, {}},
    {"hex digits", "bytes=0x10-0x20", 1000, unsatisfiable, {}},
    {"a valid spec does not excuse an invalid one", "bytes=0-1,abc", 1000, unsatisfiable, {}},
    {"a reversed spec among valid ones", "bytes=0-1,5-1", 1000, unsatisfiable, {}},
    {"a semicolon is not a separator", "bytes=0-1;2-3", 1000, unsatisfiable, {}},

    // Overflow beyond 2^64-1.
    {"first beyond u64 is unsatisfiable",
     "bytes=99999999999999999999999-",
     1000,
     unsatisfiable,
     {}},
    {"first at u64 max", "bytes=18446744073709551615-", 1000, unsatisfiable, {}},
    {"last beyond u64 clamps", "bytes=10-99999999999999999999999", 1000, partial, {{10, 999}}},
    {"a huge spec next to a valid one",
     "bytes=0-9,99999999999999999999999-",
     1000,
     partial,
     {{0, 9}}},
    {"a representation of u64 max bytes",
     "bytes=-1",
     UINT64_MAX,
     partial,
     {{UINT64_MAX - 1, UINT64_MAX - 1}}},
    {"the end of a representation of u64 max bytes",
     "bytes=0-",
     UINT64_MAX,
     partial,
     {{0, UINT64_MAX - 1}}},

    // Satisfiability (§14.1.2).
    {"first equal to the length", "bytes=1000-", 1000, unsatisfiable, {}},
    {"first equal to the length with a last", "bytes=1000-1001", 1000, unsatisfiable, {}},
    {"suffix of zero", "bytes=-0", 1000, unsatisfiable, {}},
    {"an unsatisfiable spec next to a satisfiable one",
     "bytes=2000-3000,0-9",
     1000,
     partial,
     {{0, 9}}},
    {"every spec unsatisfiable", "bytes=2000-,-0", 1000, unsatisfiable, {}},
    {"zero length: any position is unsatisfiable", "bytes=0-", 0, unsatisfiable, {}},
    {"zero length: first-last", "bytes=0-0", 0, unsatisfiable, {}},
    {"zero length: a non-zero suffix selects the (empty) whole", "bytes=-5", 0, whole, {}},
    {"zero length: a zero suffix", "bytes=-0", 0, unsatisfiable, {}},

    // Lists: whitespace and empty elements (§5.6.1).
    {"two ranges", "bytes=0-9,20-29", 1000, partial, {{0, 9}, {20, 29}}},
    {"spaces around the comma", "bytes=0-9 , 20-29", 1000, partial, {{0, 9}, {20, 29}}},
    {"a tab after the comma", "bytes=0-9,\t20-29", 1000, partial, {{0, 9}, {20, 29}}},
    {"whitespace after the equals sign", "bytes= 0-9", 1000, partial, {{0, 9}}},
    {"empty elements are skipped", "bytes=,0-9,,20-29,", 1000, partial, {{0, 9}, {20, 29}}},
    {"the last byte and the first", "bytes=0-0,-1", 1000, partial, {{0, 0}, {999, 999}}},

    // Coalescing (§14.2 allows it) and ordering.
    {"overlapping ranges merge", "bytes=0-499,400-599", 1000, partial, {{0, 599}}},
    {"adjacent ranges merge", "bytes=0-9,10-19", 1000, partial, {{0, 19}}},
    {"a one-byte gap keeps two parts", "bytes=0-9,11-19", 1000, partial, {{0, 9}, {11, 19}}},
    {"a contained range merges", "bytes=0-99,10-19", 1000, partial, {{0, 99}}},
    {"a duplicate merges", "bytes=5-9,5-9", 1000, partial, {{5, 9}}},
    {"a suffix overlapping an open range", "bytes=900-,-50", 1000, partial, {{900, 999}}},
    {"out of order: one step back is sorted",
     "bytes=500-599,0-99",
     1000,
     partial,
     {{0, 99}, {500, 599}}},
    {"out of order: suffix first (the trailer, then the head)",
     "bytes=-100,0-99",
     1000,
     partial,
     {{0, 99}, {900, 999}}},
    {"adjacent out of order merge", "bytes=10-19,0-9", 1000, partial, {{0, 19}}},
    {"two steps back are still served",
     "bytes=40-49,20-29,0-9",
     1000,
     partial,
     {{0, 9}, {20, 29}, {40, 49}}},

    // Limits: the whole representation rather than an amplified answer.
    {"sixteen parts are served",
     sixteen,
     1000,
     partial,
     {{0, 1},
      {10, 11},
      {20, 21},
      {30, 31},
      {40, 41},
      {50, 51},
      {60, 61},
      {70, 71},
      {80, 81},
      {90, 91},
      {100, 101},
      {110, 111},
      {120, 121},
      {130, 131},
      {140, 141},
      {150, 151}}},
    {"seventeen parts: whole", seventeen, 1000, whole, {}},
    {"seventeen parts even if some are unsatisfiable", seventeen, 100, whole, {}},
    {"two overlapping pairs are served",
     "bytes=0-10,5-15,20-30,25-35",
     1000,
     partial,
     {{0, 15}, {20, 35}}},
    {"three overlapping pairs: whole", "bytes=0-10,5-15,8-20", 1000, whole, {}},
    {"the Apache Killer request (reversed specs) is rejected",
     "bytes=0-,5-0,5-1,5-2,5-3",
     1000,
     unsatisfiable,
     {}},
    {"its valid cousin, prefixes of the whole: whole", "bytes=0-,0-1,0-2,0-3,0-4", 1000, whole, {}},
    {"many open ranges overlapping: whole", "bytes=0-,1-,2-,3-", 1000, whole, {}},
    {"repeated suffixes overlap: whole", "bytes=-10,-10,-10", 1000, whole, {}},
    {"three steps back: whole", "bytes=60-69,40-49,20-29,0-9", 1000, whole, {}},
    {"descending single bytes: whole", "bytes=9-9,7-7,5-5,3-3,1-1", 1000, whole, {}},
};

TEST(select_ranges, table) {
  static_assert(std::size(range_cases) >= 50);
  range_selection out;
  for (const auto& c : range_cases) {
    teapot::http::select_ranges(c.field, c.length, {}, out);
    EXPECT_EQ(out.outcome, c.outcome) << c.why << ": " << c.field;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> got;
    for (const byte_range& r : out.ranges)
      got.emplace_back(r.first, r.last);
    EXPECT_EQ(got, c.ranges) << c.why << ": " << c.field;
  }
}

TEST(select_ranges, limits_come_from_the_caller) {
  range_selection out;
  teapot::http::select_ranges("bytes=0-1,10-11,20-21", 1000, {.max_parts = 2}, out);
  EXPECT_EQ(out.outcome, whole);
  teapot::http::select_ranges("bytes=0-10,5-15", 1000, {.max_overlapping = 0}, out);
  EXPECT_EQ(out.outcome, whole);
  teapot::http::select_ranges("bytes=20-29,0-9", 1000, {.max_descending = 0}, out);
  EXPECT_EQ(out.outcome, whole);
  teapot::http::select_ranges("bytes=0-9,20-29", 1000, {.max_descending = 0}, out);
  EXPECT_EQ(out.outcome, partial);
}

TEST(select_ranges, reuses_the_selection_and_clears_stale_ranges) {
  range_selection out;
  teapot::http::select_ranges("bytes=0-9,20-29", 1000, {}, out);
  ASSERT_EQ(out.ranges.size(), 2u);
  teapot::http::select_ranges("bytes=5000-", 1000, {}, out);
  EXPECT_EQ(out.outcome, unsatisfiable);
  EXPECT_TRUE(out.ranges.empty());
}

TEST(byte_range, length_counts_both_ends) {
  EXPECT_EQ((byte_range{0, 0}.length()), 1u);
  EXPECT_EQ((byte_range{500, 999}.length()), 500u);
}

TEST(format_content_range, writes_the_range_and_the_complete_length) {
  std::string out = "stale";
  teapot::http::format_content_range({0, 499}, 1234, out);
  EXPECT_EQ(out, "bytes 0-499/1234");
  teapot::http::format_content_range({UINT64_MAX - 1, UINT64_MAX - 1}, UINT64_MAX, out);
  EXPECT_EQ(out, "bytes 18446744073709551614-18446744073709551614/18446744073709551615");
}

TEST(format_unsatisfied_range, writes_a_star_and_the_length) {
  std::string out = "stale";
  teapot::http::format_unsatisfied_range(1000, out);
  EXPECT_EQ(out, "bytes */1000");
  teapot::http::format_unsatisfied_range(0, out);
  EXPECT_EQ(out, "bytes */0");
}

}  // namespace
