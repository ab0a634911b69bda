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

TEST(parse_duration, reads_milliseconds_seconds_minutes_hours) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("2s"), milliseconds(2000));
  EXPECT_EQ(parse_duration("10"), milliseconds(10000));
  EXPECT_EQ(parse_duration("1m"), milliseconds(60000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3600000));
}

TEST(parse_duration, rejects_anything_else) {
  for (const char* bad : {"", "s", "-2s", "2 s", "2sec", "1.5s", "99999999999999999999h"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

}  // namespace
}  // namespace teapot::config
