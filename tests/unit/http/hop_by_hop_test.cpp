// The hop-by-hop fields of a message (RFC 9110 §7.6.1), from tables of Connection values and
// field names.
#include "http/hop_by_hop.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "teapot/request.h"

namespace teapot::http {
namespace {

struct options_case {
  std::string_view value;
  bool valid;
  std::vector<std::string_view> options;  // as appended, up to the first invalid element
};

// Connection = #connection-option, connection-option = token (RFC 9110 §7.6.1); empty elements
// are skipped (RFC 9110 §5.6.1).
const std::vector<options_case>& options_cases() {
  static const std::vector<options_case> cases = {
      {"close", true, {"close"}},
      {"Keep-Alive, Upgrade", true, {"Keep-Alive", "Upgrade"}},
      {" x-a ,\tx-b\t", true, {"x-a", "x-b"}},
      {"", true, {}},
      {", ,close,,", true, {"close"}},
      {"a, b c, d", false, {"a"}},
      {"close; q=1", false, {}},
      {"\"close\"", false, {}},
      {"a, @, b", false, {"a"}},
      {"x(y)", false, {}},
  };
  return cases;
}

TEST(add_connection_options, reads_each_value_of_the_table) {
  for (const options_case& c : options_cases()) {
    std::vector<std::string_view> out{"before"};
    EXPECT_EQ(add_connection_options(c.value, out), c.valid) << c.value;
    std::vector<std::string_view> want{"before"};
    want.insert(want.end(), c.options.begin(), c.options.end());
    EXPECT_EQ(out, want) << c.value;
  }
}

TEST(is_fixed_hop_by_hop, knows_the_seven_names_in_any_case) {
  for (std::string_view name : {"Connection", "keep-alive", "PROXY-CONNECTION", "te", "Trailer",
                                "transfer-encoding", "Upgrade"}) {
    EXPECT_TRUE(is_fixed_hop_by_hop(name)) << name;
  }
  for (std::string_view name : {"Content-Length", "Host", "Trailers", "Proxy-Authorization",
                                "Connectio", "Upgrade-Insecure-Requests", "", "Date"}) {
    EXPECT_FALSE(is_fixed_hop_by_hop(name)) << name;
  }
}

struct name_case {
  std::string_view name;
  bool hop_by_hop;
};

TEST(is_hop_by_hop, takes_the_fixed_names_and_the_connection_options) {
  const std::vector<std::string_view> options{"X-Secret", "close", "keep-alive"};
  const name_case cases[] = {
      {"x-secret", true}, {"X-SECRET", true},      {"Close", true},
      {"TE", true},       {"Upgrade", true},       {"X-Secret2", false},
      {"X-Other", false}, {"Content-Type", false}, {"Set-Cookie", false},
  };
  for (const name_case& c : cases)
    EXPECT_EQ(is_hop_by_hop(c.name, options), c.hop_by_hop) << c.name;
  EXPECT_FALSE(is_hop_by_hop("X-Secret", {}));
}

TEST(hop_by_hop_fields, lists_the_fixed_names_then_each_option_once) {
  const std::vector<header_field> fields = {
      {"Content-Type", "text/plain"},
      {"connection", "X-A, keep-alive, x-a"},
      {"X-A", "1"},
      {"Connection", "X-B, , upgrade, bad token, X-C"},
  };
  const std::vector<std::string_view> got =
      hop_by_hop_fields(std::span<const header_field>(fields));
  std::vector<std::string_view> want(fixed_hop_by_hop_fields.begin(),
                                     fixed_hop_by_hop_fields.end());
  // keep-alive and upgrade are listed already; the second "x-a" is the first "X-A"; the
  // value's elements after an invalid one are not read.
  want.insert(want.end(), {"X-A", "X-B"});
  EXPECT_EQ(got, want);
}

TEST(hop_by_hop_fields, is_the_fixed_list_without_connection) {
  struct field {
    std::string name;
    std::string value;
  };
  const std::vector<field> fields = {{"Host", "h"}, {"X-A", "close"}};
  const auto got = hop_by_hop_fields(std::span<const field>(fields));
  EXPECT_EQ(got, std::vector<std::string_view>(fixed_hop_by_hop_fields.begin(),
                                               fixed_hop_by_hop_fields.end()));
}

}  // namespace
}  // namespace teapot::http
