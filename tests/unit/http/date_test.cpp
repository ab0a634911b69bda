// HTTP-date (RFC 9110 §5.6.7): the formatter and the parser of the three forms, as tables.
#include "http/date.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <limits>
#include <string>

namespace {

using teapot::http::format_imf_fixdate;
using teapot::http::parse_http_date;

std::string format(std::time_t t) {
  char buf[teapot::http::imf_fixdate_size];
  return std::string(format_imf_fixdate(t, buf));
}

struct format_case {
  std::time_t t;
  const char* expected;
};

constexpr format_case format_cases[] = {
    {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},  // RFC 9110's example
    {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
    {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},  // 2000 is a leap year (divisible by 400)
    {1709208000, "Thu, 29 Feb 2024 12:00:00 GMT"},
    {2147483647, "Tue, 19 Jan 2038 03:14:07 GMT"},  // last second of a 32-bit time_t
    {2147483648, "Tue, 19 Jan 2038 03:14:08 GMT"},
    {4102444800, "Fri, 01 Jan 2100 00:00:00 GMT"},
    {4107542400, "Mon, 01 Mar 2100 00:00:00 GMT"},  // 2100 is not a leap year
    {13574563200, "Tue, 29 Feb 2400 00:00:00 GMT"},
    {253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"},
    {-62135596800, "Mon, 01 Jan 0001 00:00:00 GMT"},
    {-62167219200, "Sat, 01 Jan 0000 00:00:00 GMT"},
};

TEST(format_imf_fixdate, table) {
  for (const auto& c : format_cases)
    EXPECT_EQ(format(c.t), c.expected) << c.t;
}

TEST(format_imf_fixdate, years_without_four_digits_give_nothing) {
  char buf[teapot::http::imf_fixdate_size] = {'x'};
  EXPECT_TRUE(format_imf_fixdate(253402300800, buf).empty());  // year 10000
  EXPECT_TRUE(format_imf_fixdate(-62167219201, buf).empty());  // year -1
  EXPECT_EQ(buf[0], 'x');
}

// Found by fuzz/conditionals_fuzz.cpp: the day arithmetic overflowed (UBSan) at the ends of
// std::time_t, which a file's modification time can hold.
TEST(format_imf_fixdate, the_ends_of_time_t_give_nothing) {
  char buf[teapot::http::imf_fixdate_size] = {'x'};
  EXPECT_TRUE(format_imf_fixdate(std::numeric_limits<std::time_t>::min(), buf).empty());
  EXPECT_TRUE(format_imf_fixdate(std::numeric_limits<std::time_t>::max(), buf).empty());
  EXPECT_TRUE(format_imf_fixdate(std::numeric_limits<std::time_t>::min() + 86399, buf).empty());
  EXPECT_EQ(buf[0], 'x');
}

TEST(format_imf_fixdate, agrees_with_gmtime_over_a_wide_range) {
  // An independent oracle: the C library's calendar, formatted the same way.
  for (std::int64_t t = -2208988800; t < 253402300799; t += 86400 * 97 + 3613) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&tt, &tm), nullptr);
    char expected[64];
    std::strftime(expected, sizeof expected, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ASSERT_EQ(format(tt), expected) << t;
  }
}

TEST(parse_http_date, reads_back_what_the_formatter_writes) {
  for (std::int64_t t = -62167219200; t < 253402300799; t += 86400 * 367 + 7919) {
    const auto tt = static_cast<std::time_t>(t);
    ASSERT_EQ(parse_http_date(format(tt)), tt) << format(tt);
  }
}

// 2025-06-01, for the two-digit years of RFC 850 dates.
constexpr std::time_t now_2025 = 1748736000;

struct parse_case {
  const char* why;
  const char* text;
  std::optional<std::time_t> expected;
};

const parse_case parse_cases[] = {
    {"IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
    {"RFC 850, obsolete", "Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
    {"asctime, obsolete, day padded with a space", "Sun Nov  6 08:49:37 1994", 784111777},
    {"asctime with a two-digit day", "Sun Nov 06 08:49:37 1994", 784111777},
    {"the epoch", "Thu, 01 Jan 1970 00:00:00 GMT", 0},
    {"before the epoch", "Wed, 31 Dec 1969 23:59:59 GMT", -1},
    {"leap day of 2000", "Tue, 29 Feb 2000 00:00:00 GMT", 951782400},
    {"leap day of 2024", "Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
    {"after 2038", "Tue, 19 Jan 2038 03:14:08 GMT", 2147483648},
    {"after 2038 in asctime", "Tue Jan 19 03:14:08 2038", 2147483648},
    {"the last IMF-fixdate", "Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
    {"a leap second counts as the next second", "Sat, 31 Dec 2016 23:59:60 GMT", 1483228800},
    {"the day name is not checked against the date", "Mon, 06 Nov 1994 08:49:37 GMT", 784111777},
    {"RFC 850: 99 is more than 50 years ahead, so 1999", "Friday, 31-Dec-99 23:59:59 GMT",
     946684799},
    {"RFC 850: 70 is within 50 years, so 2070", "Wednesday, 01-Jan-70 00:00:00 GMT", 3155760000},
    {"RFC 850: 38 is 2038", "Tuesday, 19-Jan-38 03:14:08 GMT", 2147483648},
    {"empty", "", std::nullopt},
    {"garbage", "yesterday", std::nullopt},
    {"time zone other than GMT", "Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
    {"GMT is case-sensitive", "Sun, 06 Nov 1994 08:49:37 gmt", std::nullopt},
    {"day name is case-sensitive", "sun, 06 Nov 1994 08:49:37 GMT", std::nullopt},
    {"month name is case-sensitive", "Sun, 06 nov 1994 08:49:37 GMT", std::nullopt},
    {"unknown month", "Sun, 06 Xyz 1994 08:49:37 GMT", std::nullopt},
    {"unknown day name", "Sux, 06 Nov 1994 08:49:37 GMT", std::nullopt},
    {"one-digit day in IMF-fixdate", "Sun, 6 Nov 1994 08:49:37 GMT", std::nullopt},
    {"two-digit year in IMF-fixdate", "Sun, 06 Nov 94 08:49:37 GMT", std::nullopt},
    {"31 April", "Sun, 31 Apr 1994 08:49:37 GMT", std::nullopt},
    {"29 February of a common year", "Wed, 29 Feb 2023 00:00:00 GMT", std::nullopt},
    {"29 February 2100", "Mon, 29 Feb 2100 00:00:00 GMT", std::nullopt},
    {"day zero", "Sun, 00 Nov 1994 08:49:37 GMT", std::nullopt},
    {"hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
    {"minute 60", "Sun, 06 Nov 1994 08:60:00 GMT", std::nullopt},
    {"second 61", "Sun, 06 Nov 1994 08:49:61 GMT", std::nullopt},
    {"missing seconds", "Sun, 06 Nov 1994 08:49 GMT", std::nullopt},
    {"leading space", " Sun, 06 Nov 1994 08:49:37 GMT", std::nullopt},
    {"trailing space", "Sun, 06 Nov 1994 08:49:37 GMT ", std::nullopt},
    {"trailing text", "Sun, 06 Nov 1994 08:49:37 GMTX", std::nullopt},
    {"RFC 850 with a four-digit year", "Sunday, 06-Nov-1994 08:49:37 GMT", std::nullopt},
    {"RFC 850 with a short day name", "Sun, 06-Nov-94 08:49:37 GMT", std::nullopt},
    {"RFC 850 with a sign in the year", "Sunday, 06-Nov-+4 08:49:37 GMT", std::nullopt},
    {"asctime with a one-digit day and one space", "Sun Nov 6 08:49:37 1994", std::nullopt},
    {"asctime with a zone", "Sun Nov  6 08:49:37 1994 GMT", std::nullopt},
    {"asctime with a two-digit year", "Sun Nov  6 08:49:37 94", std::nullopt},
    {"ISO 8601 is not an HTTP-date", "1994-11-06T08:49:37Z", std::nullopt},
};

TEST(parse_http_date, table) {
  for (const auto& c : parse_cases)
    EXPECT_EQ(parse_http_date(c.text, now_2025), c.expected) << c.why << ": \"" << c.text << '"';
}

TEST(parse_http_date, two_digit_year_depends_on_the_current_date) {
  // Seen from 1994, "70" cannot be 2070 (more than 50 years ahead): it is 1970.
  constexpr std::time_t now_1994 = 784111777;
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", now_1994), 0);
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", now_2025), 3155760000);
}

}  // namespace
