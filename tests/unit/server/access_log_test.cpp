#include "server/access_log.h"

#include <gtest/gtest.h>

#include <string>

namespace teapot::srv {
namespace {

// 2001-09-09T01:46:40Z
constexpr std::time_t billion = 1'000'000'000;

access_entry full_entry() {
  access_entry e;
  e.client = "192.0.2.7:51000";
  e.time = billion;
  e.request_line = "GET /a?b=c HTTP/1.1";
  e.method = "GET";
  e.target = "/a?b=c";
  e.protocol = "HTTP/1.1";
  e.status = 200;
  e.bytes = 1234;
  e.referer = "http://r.example/";
  e.user_agent = "probe/1.0";
  return e;
}

std::string line(access_log_format f, const access_entry& e) {
  std::string out;
  append_access_line(f, e, out);
  return out;
}

TEST(access_log, common_has_client_time_request_status_and_bytes) {
  EXPECT_EQ(line(access_log_format::common, full_entry()),
            "192.0.2.7 - - [09/Sep/2001:01:46:40 +0000] \"GET /a?b=c HTTP/1.1\" 200 1234\n");
}

TEST(access_log, combined_adds_referer_and_user_agent_or_a_dash) {
  access_entry e = full_entry();
  EXPECT_EQ(line(access_log_format::combined, e),
            "192.0.2.7 - - [09/Sep/2001:01:46:40 +0000] \"GET /a?b=c HTTP/1.1\" 200 1234 "
            "\"http://r.example/\" \"probe/1.0\"\n");
  e.referer = {};
  e.user_agent = {};
  EXPECT_TRUE(line(access_log_format::combined, e).ends_with(" 1234 \"-\" \"-\"\n"));
}

TEST(access_log, json_names_every_field_and_writes_absent_ones_as_null) {
  access_entry e = full_entry();
  e.referer = {};
  EXPECT_EQ(line(access_log_format::json, e),
            "{\"time\":\"2001-09-09T01:46:40Z\",\"client\":\"192.0.2.7\","
            "\"request\":\"GET /a?b=c HTTP/1.1\",\"method\":\"GET\",\"target\":\"/a?b=c\","
            "\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes\":1234,\"referer\":null,"
            "\"user_agent\":\"probe/1.0\"}\n");
}

struct escape_case {
  std::string_view raw;
  std::string_view clf;   // inside the quotes
  std::string_view json;  // inside the quotes
};

TEST(access_log, quotes_backslashes_and_bytes_outside_printable_ascii_are_escaped) {
  const escape_case cases[] = {
      {"plain", "plain", "plain"},
      {"a\"b", "a\\\"b", "a\\\"b"},
      {"a\\b", "a\\\\b", "a\\\\b"},
      {"a\r\nb", "a\\x0d\\x0ab", "a\\u000d\\u000ab"},
      {"\x01\x7f", "\\x01\\x7f", "\\u0001\\u007f"},
      {"caf\xc3\xa9", "caf\\xc3\\xa9", "caf\\u00c3\\u00a9"},
  };
  for (const escape_case& c : cases) {
    access_entry e = full_entry();
    e.user_agent = c.raw;
    std::string clf = line(access_log_format::combined, e);
    EXPECT_TRUE(clf.ends_with(std::string("\"").append(c.clf).append("\"\n"))) << clf;
    std::string json = line(access_log_format::json, e);
    EXPECT_TRUE(json.ends_with("\"user_agent\":\"" + std::string(c.json) + "\"}\n")) << json;
  }
}

TEST(access_log, a_rejected_line_has_no_method_target_or_protocol) {
  access_entry e;
  e.client = "[::1]:8080";
  e.time = billion;
  e.request_line = "BROKEN";
  e.status = 400;
  EXPECT_EQ(line(access_log_format::json, e),
            "{\"time\":\"2001-09-09T01:46:40Z\",\"client\":\"::1\",\"request\":\"BROKEN\","
            "\"method\":null,\"target\":null,\"protocol\":null,\"status\":400,\"bytes\":0,"
            "\"referer\":null,\"user_agent\":null}\n");
}

TEST(access_log, the_client_is_written_without_its_port) {
  EXPECT_EQ(address_without_port("127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(address_without_port("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(address_without_port("unix"), "unix");
}

}  // namespace
}  // namespace teapot::srv
