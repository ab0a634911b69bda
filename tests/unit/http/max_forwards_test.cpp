// Max-Forwards (RFC 9110 §7.6.2): what a proxy does with it, from a table of methods and values.
#include "http/max_forwards.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

namespace teapot::http {
namespace {

using kind = max_forwards_step::kind;

struct max_forwards_case {
  std::string_view method;
  std::optional<std::string_view> value;
  kind what;
  std::uint64_t next;
};

TEST(max_forwards_for, decides_each_case_of_the_table) {
  const std::vector<max_forwards_case> cases = {
      {"OPTIONS", "0", kind::answer, 0},
      {"TRACE", "0", kind::answer, 0},
      {"TRACE", "000", kind::answer, 0},
      {"OPTIONS", "1", kind::forward, 0},
      {"TRACE", "10", kind::forward, 9},
      {"OPTIONS", "4294967296", kind::forward, max_forwards_limit},
      {"OPTIONS", "4294967295", kind::forward, max_forwards_limit - 1},
      {"OPTIONS", "99999999999999999999999999", kind::forward, max_forwards_limit},
      // §7.6.2: other methods may ignore it; it goes as received.
      {"GET", "0", kind::pass, 0},
      {"POST", "5", kind::pass, 0},
      {"options", "0", kind::pass, 0},  // methods are case-sensitive (§9.1)
      // Not 1*DIGIT: no valid field, nothing decided.
      {"OPTIONS", std::nullopt, kind::pass, 0},
      {"OPTIONS", "", kind::pass, 0},
      {"OPTIONS", "-1", kind::pass, 0},
      {"OPTIONS", "1, 2", kind::pass, 0},
      {"TRACE", "0x1", kind::pass, 0},
      {"TRACE", " 0", kind::pass, 0},
  };
  for (const max_forwards_case& c : cases) {
    const max_forwards_step s = max_forwards_for(c.method, c.value);
    EXPECT_EQ(s.what, c.what) << c.method << " " << c.value.value_or("(none)");
    EXPECT_EQ(s.value, c.next) << c.method << " " << c.value.value_or("(none)");
  }
}

}  // namespace
}  // namespace teapot::http
