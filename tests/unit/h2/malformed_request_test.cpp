// Malformed requests (RFC 9113 §8.1.1): a stream error PROTOCOL_ERROR, and the owner never
// hears of them. Most checks are nghttp2's; "ours" marks the two the session adds (§8.3.1).
// Each case is followed by a good request on the same connection, which must still work.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loopback.h"

namespace teapot::h2::test {
namespace {

struct malformed_case {
  const char* name;
  field_list fields;
};

field_list without(field_list f, std::string_view name) {
  std::erase_if(f, [&](const auto& nv) { return nv.first == name; });
  return f;
}

field_list with(field_list f, std::string name, std::string value) {
  f.emplace_back(std::move(name), std::move(value));
  return f;
}

const std::vector<malformed_case>& malformed_cases() {
  static const std::vector<malformed_case> cases = {
      // §8.3.1: all three of :method, :scheme and :path, exactly once.
      {"missing_method", without(get("/"), ":method")},
      {"missing_scheme", without(get("/"), ":scheme")},
      {"missing_path", without(get("/"), ":path")},
      {"duplicate_method", with(get("/"), ":method", "GET")},
      {"duplicate_path", with(get("/"), ":path", "/again")},
      {"duplicate_scheme", with(get("/"), ":scheme", "https")},
      {"duplicate_authority", with(get("/"), ":authority", "other.test")},
      {"empty_path",
       {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", ""}}},
      // nghttp2 1.52 wants an authority from :authority or host (§8.3.1 "MUST").
      {"neither_authority_nor_host", without(get("/"), ":authority")},
      // §8.3: only the defined pseudo-headers, and none after a regular field.
      {"unknown_pseudo_header", with(get("/"), ":color", "blue")},
      {"response_pseudo_header", with(get("/"), ":status", "200")},
      {"pseudo_header_after_regular_field",
       {{":method", "GET"},
        {":scheme", "http"},
        {"accept", "*/*"},
        {":path", "/"},
        {":authority", "a"}}},
      // §8.2.1: names lower-case, and field syntax.
      {"uppercase_field_name", with(get("/"), "X-Custom", "1")},
      {"space_in_field_name", with(get("/"), "x custom", "1")},
      {"line_feed_in_value", with(get("/"), "x-custom", "a\nb")},
      {"carriage_return_in_value", with(get("/"), "x-custom", "a\rb")},
      {"nul_in_value", with(get("/"), "x-custom", std::string("a\0b", 3))},
      {"leading_space_in_value", with(get("/"), "x-custom", " a")},
      {"trailing_tab_in_value", with(get("/"), "x-custom", "a\t")},
      // §8.2.2: connection-specific fields, and TE other than "trailers".
      {"connection", with(get("/"), "connection", "keep-alive")},
      {"keep_alive", with(get("/"), "keep-alive", "timeout=5")},
      {"proxy_connection", with(get("/"), "proxy-connection", "keep-alive")},
      {"transfer_encoding", with(get("/"), "transfer-encoding", "chunked")},
      {"upgrade", with(get("/"), "upgrade", "websocket")},
      {"te_gzip", with(get("/"), "te", "gzip")},
      {"te_trailers_and_gzip", with(get("/"), "te", "trailers, gzip")},
      // RFC 8441 §4: :protocol only on a CONNECT, which then has :scheme and :path too.
      {"protocol_on_a_get",
       {{":method", "GET"},
        {":protocol", "websocket"},
        {":scheme", "https"},
        {":path", "/"},
        {":authority", "a"}}},
      {"extended_connect_without_path",
       {{":method", "CONNECT"},
        {":protocol", "websocket"},
        {":scheme", "https"},
        {":authority", "a"}}},
      // §8.5: CONNECT has :authority and neither :scheme nor :path.
      {"connect_with_path", {{":method", "CONNECT"}, {":authority", "a:443"}, {":path", "/"}}},
      {"connect_without_authority", {{":method", "CONNECT"}}},
      // §8.1.1: content-length must be a number, once.
      {"content_length_not_a_number", with(get("/"), "content-length", "ten")},
      {"two_content_lengths", with(with(get("/"), "content-length", "0"), "content-length", "0")},
      // Ours (§8.3.1): Host must name what :authority names; no userinfo in http(s).
      {"host_other_than_authority", with(get("/"), "host", "other.test")},
      {"userinfo_in_authority",
       {{":method", "GET"}, {":scheme", "https"}, {":authority", "user@a.test"}, {":path", "/"}}},
  };
  return cases;
}

class h2_malformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(h2_malformed, is_a_stream_error_the_owner_never_sees) {
  loopback lb;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    lb.server->submit_response(id, http::status::ok, {}, "ok");
  };
  const std::int32_t bad = lb.peer.request(GetParam().fields);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[bad].reset, static_cast<std::uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_EQ(lb.peer.streams[bad].status, 0);
  EXPECT_EQ(lb.owner.count("request"), 0U);
  EXPECT_TRUE(lb.owner.log.empty()) << lb.owner.log.front();
  EXPECT_EQ(lb.server->counters().malformed_requests, 1U);

  const std::int32_t good = lb.peer.request(get("/after"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[good].body, "ok");
  EXPECT_FALSE(lb.peer.goaway);
  EXPECT_EQ(lb.server->open_streams(), 0U);
}

INSTANTIATE_TEST_SUITE_P(cases, h2_malformed, ::testing::ValuesIn(malformed_cases()),
                         [](const auto& c) { return std::string(c.param.name); });

// The near misses: each is well-formed and reaches the owner.
struct accepted_case {
  const char* name;
  field_list fields;
};

class h2_well_formed : public ::testing::TestWithParam<accepted_case> {};

TEST_P(h2_well_formed, reaches_the_owner) {
  loopback lb;
  const std::int32_t id = lb.peer.request(GetParam().fields);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_FALSE(lb.peer.streams[id].reset);
  EXPECT_EQ(lb.owner.count("request"), 1U);
  EXPECT_EQ(lb.server->counters().malformed_requests, 0U);
}

INSTANTIATE_TEST_SUITE_P(
    cases, h2_well_formed,
    ::testing::Values(
        accepted_case{"te_trailers", with(get("/"), "te", "trailers")},
        accepted_case{"host_equal_to_authority_in_another_case",
                      with(get("/"), "host", "EXAMPLE.test")},
        accepted_case{"host_without_authority", with(without(get("/"), ":authority"), "host", "a")},
        accepted_case{
            "options_asterisk",
            {{":method", "OPTIONS"}, {":scheme", "http"}, {":authority", "a"}, {":path", "*"}}},
        accepted_case{"connect_with_authority_only",
                      {{":method", "CONNECT"}, {":authority", "a.test:443"}}},
        accepted_case{"at_sign_in_path", get("/@user")},
        accepted_case{"empty_value", with(get("/"), "x-empty", "")}),
    [](const auto& c) { return std::string(c.param.name); });

// §8.1.1: content-length must equal the sum of the DATA payloads.
struct length_case {
  const char* name;
  std::size_t declared;
  std::size_t sent;
};

class h2_content_length : public ::testing::TestWithParam<length_case> {};

TEST_P(h2_content_length, that_disagrees_with_the_data_is_a_stream_error) {
  loopback lb;
  const std::int32_t id =
      lb.peer.request(post("/", GetParam().declared), std::string(GetParam().sent, 'x'));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].reset, static_cast<std::uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_EQ(lb.owner.count("end"), 0U);
  EXPECT_EQ(lb.owner.log.back(), "closed 1 PROTOCOL_ERROR");
  EXPECT_LE(lb.owner.content[id].size(), GetParam().declared);
}

INSTANTIATE_TEST_SUITE_P(cases, h2_content_length,
                         ::testing::Values(length_case{"fewer_bytes", 10, 5},
                                           length_case{"more_bytes", 3, 5},
                                           length_case{"bytes_where_none_declared", 0, 1}),
                         [](const auto& c) { return std::string(c.param.name); });

TEST(h2_malformed_trailers, a_pseudo_header_in_trailers_is_a_stream_error) {
  loopback lb;
  const std::int32_t id = lb.peer.request(post("/"), "abc", field_list{{":path", "/late"}});
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].reset, static_cast<std::uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_EQ(lb.owner.count("trailers"), 0U);
  EXPECT_EQ(lb.owner.count("end"), 0U);
}

}  // namespace
}  // namespace teapot::h2::test
