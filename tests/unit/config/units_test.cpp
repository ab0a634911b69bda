#include "config/units.h"

#include <gtest/gtest.h>

namespace teapot::config {
namespace {

TEST(parse_size, reads_bytes_and_binary_and_decimal_units) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("8192"), 8192u);
  EXPECT_EQ(parse_size("8KiB"), 8192u);
  EXPECT_EQ(parse_size("1MiB"), 1048576u);
  EXPECT_EQ(parse_size("2GiB"), 2147483648u);
  EXPECT_EQ(parse_size("64B"), 64u);
  EXPECT_EQ(parse_size("1KB"), 1000u);
  EXPECT_EQ(parse_size("3MB"), 3000000u);
}

TEST(parse_size, rejects_anything_else) {
  for (const char* bad : {"", "KiB", "-1", "8 KiB", "8kib", "8KiBx", "1.5MiB", "0x10",
                          "18446744073709551616", "17179869184GiB"})
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
}

TEST(parse_duration, reads_milliseconds_seconds_minutes_hours_days) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("2s"), milliseconds(2000));
  EXPECT_EQ(parse_duration("10"), milliseconds(10000));
  EXPECT_EQ(parse_duration("1m"), milliseconds(60000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3600000));
  EXPECT_EQ(parse_duration("365d"), milliseconds(31'536'000'000));
}

TEST(parse_duration, rejects_anything_else) {
  for (const char* bad :
       {"", "s", "-2s", "2 s", "2sec", "1.5s", "99999999999999999999h", "1D", "2days"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(format_size, writes_the_largest_binary_unit_that_divides) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(8192), "8KiB");
  EXPECT_EQ(format_size(65536), "64KiB");
  EXPECT_EQ(format_size(1048576), "1MiB");
  EXPECT_EQ(format_size(1536 * 1024), "1536KiB");
  EXPECT_EQ(format_size(2147483648u), "2GiB");
  for (std::uint64_t n : {0ull, 1ull, 1000ull, 4096ull, 3ull << 20, 5ull << 30, 1ull << 62})
    EXPECT_EQ(parse_size(format_size(n)), n) << n;
}

TEST(format_duration, writes_the_largest_unit_that_divides) {
  using std::chrono::milliseconds;
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(10'000)), "10s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
  for (std::int64_t n : {0, 1, 999, 30'000, 90'000, 7'200'000})
    EXPECT_EQ(parse_duration(format_duration(milliseconds(n))), milliseconds(n)) << n;
}

}  // namespace
}  // namespace teapot::config
