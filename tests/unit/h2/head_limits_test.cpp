// Limits on a request head, mapped as HTTP/1.1 maps them: the owner is told and answers 414 or
// 431 on the stream; past the hard cap (an HPACK bomb) the stream is reset.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loopback.h"

namespace teapot::h2::test {
namespace {

session_config small_limits() {
  session_config c;
  c.limits.header_list = 1'000;
  c.limits.header_list_cap = 4'000;
  c.limits.fields = 5;
  c.limits.path = 100;
  return c;
}

struct limit_case {
  const char* name;
  field_list fields;
  std::optional<request_error> rejection;  // nullopt: accepted
};

field_list with_fields(field_list f, int n, std::size_t value_size = 1) {
  for (int i = 0; i < n; ++i)
    f.emplace_back("x-" + std::to_string(i), std::string(value_size, 'v'));
  return f;
}

// get("/") weighs 4 pseudo-headers: ":method" 7+3, ":scheme" 7+4, ":authority" 10+12, ":path"
// 5+1, and 32 each: 177 octets (§6.5.2).
const std::vector<limit_case>& limit_cases() {
  static const std::vector<limit_case> cases = {
      {"path_at_the_limit", get("/" + std::string(99, 'p')), std::nullopt},
      {"path_over_the_limit", get("/" + std::string(100, 'p')), request_error::path_too_long},
      {"fields_at_the_limit", with_fields(get("/"), 5), std::nullopt},
      {"fields_over_the_limit", with_fields(get("/"), 6), request_error::too_many_fields},
      // 177 + "x-0" (3) + 32 + value: at 1000 with a value of 788.
      {"list_at_the_limit", with_fields(get("/"), 1, 788), std::nullopt},
      {"list_over_the_limit", with_fields(get("/"), 1, 789), request_error::header_list_too_large},
      {"path_first_of_two_limits", with_fields(get("/" + std::string(200, 'p')), 1, 900),
       request_error::path_too_long},
  };
  return cases;
}

class h2_head_limits : public ::testing::TestWithParam<limit_case> {};

TEST_P(h2_head_limits, a_head_over_a_limit_is_given_to_the_owner_to_answer) {
  loopback lb(small_limits());
  std::optional<request_error> told;
  lb.owner.answer_rejected = [&](stream_id id, request_error why) {
    told = why;
    lb.server->submit_response(id, to_status(why), {}, no_body{});
  };
  const std::int32_t id = lb.peer.request(GetParam().fields);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(told, GetParam().rejection);
  if (GetParam().rejection) {
    EXPECT_EQ(lb.peer.streams[id].status, http::to_int(to_status(*GetParam().rejection)));
    EXPECT_EQ(lb.owner.count("request"), 0U);
    EXPECT_EQ(lb.server->counters().rejected_requests, 1U);
    // The pseudo-headers came first and were kept, for the owner's log.
    EXPECT_EQ(lb.owner.heads[id].method, "GET");
  } else {
    EXPECT_EQ(lb.owner.count("request"), 1U);
  }
  EXPECT_FALSE(lb.peer.streams[id].reset);
}

INSTANTIATE_TEST_SUITE_P(cases, h2_head_limits, ::testing::ValuesIn(limit_cases()),
                         [](const auto& c) { return std::string(c.param.name); });

TEST(h2_head_limits, the_header_list_limit_is_announced_in_settings) {
  session_config c = small_limits();
  recorder owner;
  session s(owner, c);
  std::string out;
  s.take_output(out);
  // SETTINGS_MAX_HEADER_LIST_SIZE (0x6) = 1000 among the server's settings.
  EXPECT_NE(out.find(std::string("\x00\x06\x00\x00\x03\xe8", 6)), std::string::npos);
}

// The content of a rejected request is dropped and its window reopened: the connection's
// window (here its smallest, 65,535) is not lost to it.
TEST(h2_head_limits, a_rejected_requests_content_is_dropped_without_holding_the_window) {
  session_config c = small_limits();
  c.settings.connection_window_size = 65'535;
  loopback lb(c);
  lb.owner.answer_rejected = [&](stream_id id, request_error why) {
    lb.server->submit_response(id, to_status(why), {}, no_body{});
  };
  lb.owner.answer_end = [&](stream_id id) {
    lb.server->submit_response(id, http::status::ok, {}, no_body{});
  };
  const std::int32_t big =
      lb.peer.request(with_fields(post("/"), 1, 2'000), std::string(60'000, 'b'));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[big].status, 431);
  EXPECT_EQ(lb.owner.count("data"), 0U);
  const std::int32_t next = lb.peer.request(post("/"), std::string(60'000, 'n'));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.content[next].size(), 60'000U);
  EXPECT_EQ(lb.peer.streams[next].status, 200);
}

// An HPACK bomb: one large field put in the dynamic table, then referred to again and again,
// each reference an octet or two on the wire. Sized as decoded, it passes the cap long before
// its encoded size would.
TEST(h2_head_limits, a_header_list_past_the_cap_as_decoded_resets_the_stream) {
  loopback lb(small_limits());
  field_list bomb = get("/");
  // 60 of them: nghttp2's client refuses to send a block that might encode past 64 KiB.
  for (int i = 0; i < 60; ++i)
    bomb.emplace_back("x-bomb", std::string(900, 'b'));
  const std::int32_t id = lb.peer.request(bomb);
  const std::string wire = lb.peer.output();
  EXPECT_GT(wire.size(), 500U);  // the field went out once (Huffman-coded), with the preface
  EXPECT_LT(wire.size(), 1'200U);
  lb.server->feed(wire);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].reset, static_cast<std::uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_TRUE(lb.owner.log.empty());
  EXPECT_EQ(lb.server->counters().header_lists_over_cap, 1U);
  // HPACK's table is shared by the connection: the next request still decodes.
  const std::int32_t next = lb.peer.request(get("/next"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.count("request 3 GET /next"), 1U);
  EXPECT_FALSE(lb.peer.streams[next].reset);
  EXPECT_EQ(lb.server->open_streams(), 1U);  // /next, unanswered
}

TEST(h2_head_limits, trailers_over_the_limit_reset_the_stream) {
  loopback lb(small_limits());
  const std::int32_t id = lb.peer.request(post("/"), "abc", with_fields({}, 1, 1'500));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].reset, static_cast<std::uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_EQ(lb.owner.count("trailers"), 0U);
  EXPECT_EQ(lb.owner.log.back(), "closed 1 ENHANCE_YOUR_CALM");
}

}  // namespace
}  // namespace teapot::h2::test
