#include "ws/deflate_negotiation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws/extension_offer.h"
#include "ws_test_support.h"

namespace teapot::ws {
namespace {

// The response element for the first acceptable permessage-deflate offer, then the agreed
// parameters as "s<server bits>c<client bits>" with "S"/"C" for no context takeover; "declined"
// when none is accepted.
std::string negotiate(std::string_view header, const deflate_options& options = {}) {
  const std::vector<std::string_view> values = {header};
  for (const extension_offer& o : parse_extension_offers(values)) {
    if (o.name != "permessage-deflate") continue;
    if (auto a = accept_deflate_offer(o.params, options)) {
      const deflate_params& p = a->params;
      return a->response + " | s" + std::to_string(p.server_max_window_bits) + "c" +
             std::to_string(p.client_max_window_bits) + (p.server_no_context_takeover ? "S" : "") +
             (p.client_no_context_takeover ? "C" : "");
    }
  }
  return "declined";
}

struct negotiation_case {
  const char* name;
  const char* offer;
  std::string expected;
  deflate_options options{};
};

deflate_options limited() {
  deflate_options o;
  o.server_max_window_bits = 12;
  o.client_max_window_bits = 10;
  o.server_no_context_takeover = true;
  o.client_no_context_takeover = true;
  return o;
}

std::vector<negotiation_case> negotiation_cases() {
  return {
      {"bare", "permessage-deflate", "permessage-deflate | s15c15"},
      {"server_no_context_takeover", "permessage-deflate; server_no_context_takeover",
       "permessage-deflate; server_no_context_takeover | s15c15S"},
      {"client_no_context_takeover", "permessage-deflate; client_no_context_takeover",
       "permessage-deflate; client_no_context_takeover | s15c15C"},
      {"server_max_window_bits", "permessage-deflate; server_max_window_bits=10",
       "permessage-deflate; server_max_window_bits=10 | s10c15"},
      {"server_max_window_bits_15", "permessage-deflate; server_max_window_bits=15",
       "permessage-deflate; server_max_window_bits=15 | s15c15"},
      {"client_max_window_bits_valueless", "permessage-deflate; client_max_window_bits",
       "permessage-deflate | s15c15"},
      {"client_max_window_bits_value", "permessage-deflate; client_max_window_bits=9",
       "permessage-deflate | s15c9"},
      {"quoted_value", "permessage-deflate; server_max_window_bits=\"11\"",
       "permessage-deflate; server_max_window_bits=11 | s11c15"},
      {"all_four",
       "permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
       "server_max_window_bits=14; client_max_window_bits=13",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=14 | s14c13SC"},
      // The server's own limits and choices.
      {"limits_on_a_bare_offer", "permessage-deflate",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=12 | s12c15SC",
       limited()},
      {"limits_on_a_full_offer", "permessage-deflate; client_max_window_bits",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=12; client_max_window_bits=10 | s12c10SC",
       limited()},
      {"offer_below_the_limit", "permessage-deflate; client_max_window_bits=8",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=12 | s12c8SC",
       limited()},
      // §7.1: an offer with an unknown, repeated or invalid parameter is declined, and the next
      // one considered.
      {"unknown_parameter", "permessage-deflate; foo", "declined"},
      {"repeated_parameter",
       "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "declined"},
      {"takeover_with_value", "permessage-deflate; server_no_context_takeover=1", "declined"},
      {"server_bits_without_value", "permessage-deflate; server_max_window_bits", "declined"},
      {"bits_7", "permessage-deflate; server_max_window_bits=7", "declined"},
      {"bits_16", "permessage-deflate; client_max_window_bits=16", "declined"},
      {"bits_leading_zero", "permessage-deflate; server_max_window_bits=09", "declined"},
      {"server_bits_8_cannot_be_kept", "permessage-deflate; server_max_window_bits=8", "declined"},
      {"fallback_to_the_second_offer",
       "permessage-deflate; server_max_window_bits=8, permessage-deflate; "
       "client_max_window_bits",
       "permessage-deflate | s15c15"},
      {"other_extensions_ignored", "x-webkit-deflate-frame, permessage-deflate",
       "permessage-deflate | s15c15"},
      {"broken_element_skipped", "permessage-deflate; =x, permessage-deflate",
       "permessage-deflate | s15c15"},
      {"unterminated_quote", "permessage-deflate, foo; a=\"b", "permessage-deflate | s15c15"},
  };
}

class negotiation : public testing::TestWithParam<negotiation_case> {};

TEST_P(negotiation, answers) {
  const negotiation_case& c = GetParam();
  EXPECT_EQ(negotiate(c.offer, c.options), c.expected);
}

INSTANTIATE_TEST_SUITE_P(table, negotiation, testing::ValuesIn(negotiation_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

// RFC 6455 §9.1: offers across field lines, parameters with and without values.
TEST(extension_offer, parses_offers_and_parameters) {
  const std::vector<std::string_view> values = {"foo, bar; baz=2", " ,qux; a; b=\"c\" "};
  const std::vector<extension_offer> offers = parse_extension_offers(values);
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[0].name, "foo");
  EXPECT_TRUE(offers[0].params.empty());
  EXPECT_EQ(offers[1].name, "bar");
  ASSERT_EQ(offers[1].params.size(), 1u);
  EXPECT_EQ(offers[1].params[0].name, "baz");
  EXPECT_EQ(offers[1].params[0].value, "2");
  EXPECT_EQ(offers[2].name, "qux");
  ASSERT_EQ(offers[2].params.size(), 2u);
  EXPECT_EQ(offers[2].params[0].value, std::nullopt);
  EXPECT_EQ(offers[2].params[1].value, "c");
}

// §9.1: a quoted value must still be a token once unquoted.
TEST(extension_offer, quoted_value_must_be_a_token) {
  const std::vector<std::string_view> values = {"a; b=\"c d\", e; f=\"g\\h\""};
  const std::vector<extension_offer> offers = parse_extension_offers(values);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].name, "e");
  EXPECT_EQ(offers[0].params[0].value, "gh");
}

}  // namespace
}  // namespace teapot::ws
