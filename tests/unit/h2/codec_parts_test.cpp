// The session's pure parts, each with its table: the preface, error codes and statuses, the
// sliding window, what a header block keeps, what a response sends, the configuration's check.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "h2/error_code.h"
#include "h2/event_rate.h"
#include "h2/header_block.h"
#include "h2/preface.h"
#include "h2/request_error.h"
#include "h2/response_fields.h"
#include "h2/session_config.h"

namespace teapot::h2 {
namespace {

TEST(h2_preface, tells_http2_from_http1_by_the_first_bytes) {
  const std::string full(client_preface);
  const std::vector<std::pair<std::string, preface_match>> cases = {
      {"", preface_match::need_more},
      {"P", preface_match::need_more},
      {"PRI * HTTP/2.0\r\n", preface_match::need_more},
      {full.substr(0, 23), preface_match::need_more},
      {full, preface_match::yes},
      {full + std::string("\x00\x00\x00\x04", 4), preface_match::yes},  // its SETTINGS follow
      {"GET / HTTP/1.1\r\n", preface_match::no},
      {"PRI * HTTP/1.1\r\n", preface_match::no},
      {"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", preface_match::no},
      {"p", preface_match::no},  // case matters
  };
  for (const auto& [bytes, expected] : cases) {
    EXPECT_EQ(match_preface(bytes), expected) << bytes;
    EXPECT_EQ(is_h2_preface(bytes), expected == preface_match::yes) << bytes;
  }
}

TEST(h2_request_error, each_enumerator_maps_to_its_status) {
  using s = http::status;
  const std::vector<std::pair<request_error, s>> table = {
      {request_error::path_too_long, s::uri_too_long},
      {request_error::header_list_too_large, s::request_header_fields_too_large},
      {request_error::too_many_fields, s::request_header_fields_too_large},
  };
  for (const auto& [e, status] : table) {
    EXPECT_EQ(to_status(e), status) << name_of(e);
    EXPECT_NE(name_of(e), "unknown");
  }
  EXPECT_EQ(table.back().first, request_error::too_many_fields) << "a new reason needs a row";
}

TEST(h2_error_code, names_are_the_rfcs) {
  EXPECT_EQ(name_of(error_code::no_error), "NO_ERROR");
  EXPECT_EQ(name_of(error_code::enhance_your_calm), "ENHANCE_YOUR_CALM");
  EXPECT_EQ(name_of(error_code::http_1_1_required), "HTTP_1_1_REQUIRED");
  EXPECT_EQ(name_of(static_cast<error_code>(0x99)), "UNKNOWN");
  for (std::uint32_t c = 0; c <= 0xd; ++c)
    EXPECT_NE(name_of(static_cast<error_code>(c)), "UNKNOWN");
}

using namespace std::chrono_literals;

TEST(h2_event_rate, counts_over_a_sliding_window) {
  const event_rate::clock::time_point t0{};
  event_rate r(4, 10s);
  for (int i = 0; i < 4; ++i)
    EXPECT_FALSE(r.record(t0 + 1s)) << i;
  EXPECT_TRUE(r.record(t0 + 2s));  // the fifth within 10 s
  EXPECT_EQ(r.estimate(t0 + 2s), 5U);
  // Half way into the next window, half of the last one still counts: 5 / 2, rounded up.
  EXPECT_EQ(r.estimate(t0 + 15s), 3U);
  EXPECT_FALSE(r.record(t0 + 15s));  // 3 + 1
  EXPECT_TRUE(r.record(t0 + 15s));   // 3 + 2
  // Two windows later, nothing is left.
  EXPECT_EQ(r.estimate(t0 + 40s), 0U);
  EXPECT_FALSE(r.record(t0 + 40s));
}

TEST(h2_event_rate, a_zero_window_counts_nothing) {
  event_rate r(0, 0s);
  EXPECT_FALSE(r.record({}));
}

head_limits small() {
  head_limits l;
  l.header_list = 200;
  l.header_list_cap = 400;
  l.fields = 2;
  l.path = 10;
  return l;
}

TEST(h2_header_block, keeps_the_head_and_sizes_it_as_decoded) {
  const head_limits l;
  header_block b(l);
  EXPECT_TRUE(b.add(":method", "POST"));
  EXPECT_TRUE(b.add(":scheme", "https"));
  EXPECT_TRUE(b.add(":authority", "a.test"));
  EXPECT_TRUE(b.add(":path", "/x"));
  EXPECT_TRUE(b.add("content-length", "12"));
  EXPECT_EQ(b.list_size(), 7 + 4 + 7 + 5 + 10 + 6 + 5 + 2 + 14 + 2 + 5 * 32U);
  EXPECT_FALSE(b.rejection());
  EXPECT_FALSE(b.is_malformed());
  const request_head h = b.head(false);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.scheme, "https");
  EXPECT_EQ(h.authority, "a.test");
  EXPECT_EQ(h.path, "/x");
  ASSERT_EQ(h.fields.size(), 1U);
  EXPECT_EQ(h.fields[0].name, "content-length");
  EXPECT_EQ(h.content_length, 12U);
}

TEST(h2_header_block, stops_keeping_past_a_limit_and_refuses_past_the_cap) {
  const head_limits l = small();
  header_block b(l);
  EXPECT_TRUE(b.add(":method", "GET"));
  EXPECT_TRUE(b.add("a", std::string(150, 'a')));  // 42 + 183: past 200
  EXPECT_EQ(b.rejection(), request_error::header_list_too_large);
  EXPECT_TRUE(b.head(true).fields.empty());
  EXPECT_EQ(b.head(true).method, "GET");
  EXPECT_FALSE(b.add("b", std::string(200, 'b')));  // past 400
}

struct malformed_case {
  const char* name;
  std::vector<std::pair<std::string, std::string>> fields;
  bool malformed;
};

TEST(h2_header_block, adds_the_checks_of_rfc_9113_section_8_3_1) {
  const std::vector<malformed_case> cases = {
      {"host_equal", {{":scheme", "http"}, {":authority", "a.test"}, {"host", "a.test"}}, false},
      {"host_other_case",
       {{":scheme", "http"}, {":authority", "a.test"}, {"host", "A.TEST"}},
       false},
      {"host_other", {{":scheme", "http"}, {":authority", "a.test"}, {"host", "b.test"}}, true},
      {"host_other_port",
       {{":scheme", "http"}, {":authority", "a.test"}, {"host", "a.test:81"}},
       true},
      {"host_alone", {{":scheme", "http"}, {"host", "b.test"}}, false},
      {"userinfo_https", {{":scheme", "https"}, {":authority", "u:p@a.test"}}, true},
      {"userinfo_http", {{":scheme", "HTTP"}, {":authority", "u@a.test"}}, true},
      {"userinfo_other_scheme", {{":scheme", "foo"}, {":authority", "u@a.test"}}, false},
  };
  const head_limits l;
  for (const malformed_case& c : cases) {
    header_block b(l);
    for (const auto& [n, v] : c.fields)
      b.add(n, v);
    EXPECT_EQ(b.is_malformed(), c.malformed) << c.name;
  }
}

TEST(h2_response_fields, names_are_lower_cased_and_connection_fields_dropped) {
  const std::vector<header_field> fields = {{"Content-Type", "text/html"},
                                            {"Connection", "close"},
                                            {"KEEP-ALIVE", "5"},
                                            {"Proxy-Connection", "x"},
                                            {"Transfer-Encoding", "chunked"},
                                            {"Upgrade", "h2c"},
                                            {"ETag", "\"x\""},
                                            {"te", "trailers"}};
  response_fields r;
  const auto nv = r.head(http::status::not_found, fields);
  std::vector<std::pair<std::string, std::string>> got;
  for (const nghttp2_nv& n : nv) {
    got.emplace_back(std::string(reinterpret_cast<const char*>(n.name), n.namelen),
                     std::string(reinterpret_cast<const char*>(n.value), n.valuelen));
  }
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{":status", "404"},
                                                                   {"content-type", "text/html"},
                                                                   {"etag", "\"x\""},
                                                                   {"te", "trailers"}}));
  EXPECT_EQ(r.trailers(fields).size(), 3U);
}

TEST(h2_session_config, check_config_refuses_values_rfc_9113_does_not_allow) {
  struct config_case {
    const char* name;
    void (*change)(session_config&);
    bool valid;
  };
  const std::vector<config_case> cases = {
      {"defaults", [](session_config&) {}, true},
      {"frame_size_too_small", [](session_config& c) { c.settings.max_frame_size = 16'383; },
       false},
      {"frame_size_largest", [](session_config& c) { c.settings.max_frame_size = 16'777'215; },
       true},
      {"frame_size_too_large", [](session_config& c) { c.settings.max_frame_size = 16'777'216; },
       false},
      {"window_too_large", [](session_config& c) { c.settings.initial_window_size = 0x80000000; },
       false},
      {"connection_window_too_small",
       [](session_config& c) { c.settings.connection_window_size = 65'534; }, false},
      {"cap_below_limit",
       [](session_config& c) { c.limits.header_list_cap = c.limits.header_list - 1; }, false},
      {"no_clock", [](session_config& c) { c.clock = nullptr; }, false},
  };
  for (const config_case& c : cases) {
    session_config config;
    c.change(config);
    EXPECT_EQ(check_config(config).empty(), c.valid) << c.name;
  }
}

TEST(h2_session_config, head_limits_follow_the_servers_limits) {
  teapot::limits l;
  l.header_section = 10'000;
  l.fields = 7;
  l.request_line = 300;
  const head_limits h(l);
  EXPECT_EQ(h.header_list, 10'000U);
  EXPECT_EQ(h.header_list_cap, 40'000U);
  EXPECT_EQ(h.fields, 7U);
  EXPECT_EQ(h.path, 300U);
}

}  // namespace
}  // namespace teapot::h2
