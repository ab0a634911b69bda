// The h2c upgrade (RFC 7540 §3.2): the HTTP/1.1 request becomes stream 1 of the session.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "h2/upgrade_settings.h"
#include "loopback.h"

namespace teapot::h2::test {
namespace {

// What a client puts in HTTP2-Settings: its SETTINGS payload, base64url without padding.
std::string settings_field(const std::vector<nghttp2_settings_entry>& entries) {
  std::string payload(entries.size() * 6, '\0');
  const auto n = nghttp2_pack_settings_payload(reinterpret_cast<std::uint8_t*>(payload.data()),
                                               payload.size(), entries.data(), entries.size());
  payload.resize(static_cast<std::size_t>(n));
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int held = 0;
  for (char c : payload) {
    bits = bits << 8 | static_cast<std::uint8_t>(c);
    held += 8;
    while (held >= 6) {
      held -= 6;
      out.push_back(alphabet[bits >> held & 63]);
    }
  }
  if (held > 0) out.push_back(alphabet[bits << (6 - held) & 63]);
  return out;
}

TEST(h2_upgrade, the_upgraded_request_is_stream_one) {
  const std::vector<nghttp2_settings_entry> entries{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 50},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 100'000}};
  const std::string field = settings_field(entries);
  loopback lb({}, entries);
  lb.owner.answer_head = [&](stream_id id, const seen_head& head) {
    lb.server->submit_response(id, http::status::ok, {}, "upgraded " + head.path);
  };
  const field_list h1_fields{{"host", "example.test"}, {"user-agent", "test"}};
  const std::vector<header_field> fields = as_fields(h1_fields);
  request_head head;
  head.method = "GET";
  head.scheme = "http";
  head.authority = "example.test";
  head.path = "/page";
  head.fields = fields;
  ASSERT_TRUE(lb.server->upgrade_from_h1(field, head));
  EXPECT_EQ(lb.owner.log, (std::vector<std::string>{"request 1 GET /page"}));
  EXPECT_TRUE(lb.owner.heads[1].ends_stream);
  EXPECT_EQ(lb.owner.heads[1].fields, h1_fields);

  // The client side of the same upgrade: stream 1 is its request.
  std::string payload(entries.size() * 6, '\0');
  nghttp2_pack_settings_payload(reinterpret_cast<std::uint8_t*>(payload.data()), payload.size(),
                                entries.data(), entries.size());
  ASSERT_EQ(
      nghttp2_session_upgrade2(lb.peer.ng, reinterpret_cast<const std::uint8_t*>(payload.data()),
                               payload.size(), 0, nullptr),
      0);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[1].status, 200);
  EXPECT_EQ(lb.peer.streams[1].body, "upgraded /page");

  // Later streams are ordinary.
  const std::int32_t next = lb.peer.request(get("/next"));
  EXPECT_EQ(next, 3);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[3].body, "upgraded /next");
  EXPECT_FALSE(lb.server->upgrade_from_h1(field, head));  // only at the start
}

TEST(h2_upgrade, a_bad_settings_field_leaves_the_session_untouched) {
  recorder owner;
  session s(owner, {});
  request_head head;
  head.method = "GET";
  head.scheme = "http";
  head.authority = "a";
  head.path = "/";
  EXPECT_FALSE(s.upgrade_from_h1("not base64!", head));
  EXPECT_FALSE(s.upgrade_from_h1("AAMAAA", head));  // 4 octets: not a whole setting
  EXPECT_TRUE(owner.log.empty());
  EXPECT_TRUE(s.upgrade_from_h1("", head));  // no settings at all is a valid payload
}

struct base64_case {
  const char* text;
  std::optional<std::string> bytes;
};

TEST(h2_upgrade, base64url_decodes_as_rfc_4648_section_5) {
  const std::vector<base64_case> cases = {
      {"", std::string()},         {"Zg", std::string("f")},
      {"Zm8", std::string("fo")},  {"Zm9v", std::string("foo")},
      {"Zg==", std::string("f")},  // padded: the same payload
      {"Zm8=", std::string("fo")}, {"-_-_", std::string("\xfb\xff\xbf", 3)},
      {"+/+/", std::nullopt},                              // the base64 alphabet, not base64url's
      {"Z", std::nullopt},                                 // 4n+1 characters
      {"Zm9vY", std::nullopt},     {"Zg=", std::nullopt},  // padding short of a quantum
      {"Z=g=", std::nullopt},                              // padding inside
      {"Zm 9v", std::nullopt},
  };
  for (const base64_case& c : cases)
    EXPECT_EQ(decode_base64url(c.text), c.bytes) << c.text;
}

}  // namespace
}  // namespace teapot::h2::test
