// A-IM (RFC 3229 §10.5.3): which instance-manipulations a client accepts.
#include "http/instance_manipulations.h"

#include <gtest/gtest.h>

namespace {

using teapot::http::parse_a_im;

TEST(a_im, reads_the_manipulations_the_server_applies) {
  const auto a = parse_a_im("vcdiff, diffe, gzip;q=0.5");
  EXPECT_TRUE(a.diffe);
  EXPECT_TRUE(a.gzip);
  EXPECT_FALSE(parse_a_im("vcdiff").diffe);
}

TEST(a_im, names_are_case_insensitive_and_whitespace_is_optional) {
  const auto a = parse_a_im("  DiffE ;Q=1 ,GZIP");
  EXPECT_TRUE(a.diffe);
  EXPECT_TRUE(a.gzip);
}

TEST(a_im, a_weight_of_zero_refuses) {
  const auto a = parse_a_im("diffe;q=0, gzip;q=0.000");
  EXPECT_FALSE(a.diffe);
  EXPECT_FALSE(a.gzip);
}

TEST(a_im, a_malformed_element_is_skipped_and_the_others_read) {
  const auto a = parse_a_im("diffe;q=2, gzip;level=9, , gzip;q=0.1");
  EXPECT_FALSE(a.diffe);
  EXPECT_TRUE(a.gzip);
}

}  // namespace
