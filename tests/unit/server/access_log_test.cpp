#include "server/access_log.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

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
  e.host = "site.example";
  e.duration_ms = 1042;
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

TEST(access_log, common_and_combined_keep_their_classic_fields_only) {
  // Log readers parse them by position: no host, no duration.
  for (auto f : {access_log_format::common, access_log_format::combined}) {
    const std::string l = line(f, full_entry());
    EXPECT_EQ(l.find("site.example"), std::string::npos) << l;
    EXPECT_EQ(l.find("1.042"), std::string::npos) << l;
  }
}

TEST(access_log, json_names_every_field_and_writes_absent_ones_as_null) {
  access_entry e = full_entry();
  e.referer = {};
  EXPECT_EQ(line(access_log_format::json, e),
            "{\"time\":\"2001-09-09T01:46:40Z\",\"client\":\"192.0.2.7\","
            "\"host\":\"site.example\",\"request\":\"GET /a?b=c HTTP/1.1\",\"method\":\"GET\","
            "\"target\":\"/a?b=c\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes\":1234,"
            "\"duration\":1.042,\"referer\":null,\"user_agent\":\"probe/1.0\"}\n");
}

TEST(access_log, json_duration_is_seconds_with_milliseconds_as_nginx_request_time) {
  const std::pair<std::uint64_t, std::string_view> cases[] = {
      {0, "0.000"},   {4, "0.004"},    {40, "0.040"},
      {999, "0.999"}, {1000, "1.000"}, {61'005, "61.005"},
  };
  for (const auto& [ms, text] : cases) {
    access_entry e = full_entry();
    e.duration_ms = ms;
    EXPECT_NE(line(access_log_format::json, e).find(",\"duration\":" + std::string(text) + ","),
              std::string::npos)
        << ms;
  }
  access_entry e = full_entry();
  e.duration_ms.reset();
  EXPECT_NE(line(access_log_format::json, e).find(",\"duration\":null,"), std::string::npos);
}

struct escape_case {
  std::string_view raw;
  std::string_view clf;   // inside the quotes
  std::string_view json;  // inside the quotes
};

TEST(access_log, quotes_backslashes_and_control_characters_are_escaped) {
  const escape_case cases[] = {
      {"plain", "plain", "plain"},
      {"a\"b", "a\\\"b", "a\\\"b"},
      {"a\\b", "a\\\\b", "a\\\\b"},
      {"a\r\nb", "a\\x0d\\x0ab", "a\\u000d\\u000ab"},
      {"\x01\x7f", "\\x01\\x7f", "\\u0001\\u007f"},
      {"\x1b[2J", "\\x1b[2J", "\\u001b[2J"},
      // Common and Combined write every byte outside printable ASCII as \xHH (Apache, nginx);
      // JSON writes UTF-8 as it is.
      {"caf\xc3\xa9", "caf\\xc3\\xa9", "caf\xc3\xa9"},
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

// RFC 8259 §8.1: JSON text is UTF-8. Well-formed sequences pass; each ill-formed one becomes
// one U+FFFD per maximal subpart (Unicode §3.9), as Python's bytes.decode("utf-8", "replace")
// and WHATWG decoders read it; C1 controls are escaped like C0.
TEST(access_log, json_passes_utf8_and_replaces_each_ill_formed_sequence) {
  const std::string r = "\xef\xbf\xbd";  // U+FFFD
  const std::pair<std::string_view, std::string> cases[] = {
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      {"\xe2\x82\xac 5", "\xe2\x82\xac 5"},      // U+20AC, three bytes
      {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},  // U+1F600, four bytes
      {"\xef\xbf\xbf", "\xef\xbf\xbf"},          // U+FFFF is well-formed
      {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},  // U+10FFFF
      {"\xe9", r},                               // Latin-1 é
      {"caf\xe9!", "caf" + r + "!"},
      {"\xc3", r},      // cut short at the end
      {"\xe2\x82", r},  // one maximal subpart, one U+FFFD
      {"\xe2\x82x", r + "x"},
      {"\x80\xbf", r + r},                  // lone continuation bytes
      {"\xc0\xaf", r + r},                  // overlong '/'
      {"\xe0\x80\xaf", r + r + r},          // overlong
      {"\xed\xa0\x80", r + r + r},          // a surrogate
      {"\xf4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\xf5", r},
      {"\xff\xfe", r + r},
      {"\xc2\x85", "\\u0085"},        // NEL, a C1 control
      {"\xc2\x9b[2J", "\\u009b[2J"},  // CSI, which a terminal may obey
      {"\xc2\xa0", "\xc2\xa0"},       // NBSP is no control
  };
  for (const auto& [raw, json] : cases) {
    access_entry e = full_entry();
    e.user_agent = raw;
    const std::string l = line(access_log_format::json, e);
    EXPECT_TRUE(l.ends_with("\"user_agent\":\"" + json + "\"}\n")) << l;
  }
}

TEST(access_log, a_rejected_line_has_no_method_target_or_protocol) {
  access_entry e;
  e.client = "[::1]:8080";
  e.time = billion;
  e.request_line = "BROKEN";
  e.status = 400;
  EXPECT_EQ(line(access_log_format::json, e),
            "{\"time\":\"2001-09-09T01:46:40Z\",\"client\":\"::1\",\"host\":null,"
            "\"request\":\"BROKEN\",\"method\":null,\"target\":null,\"protocol\":null,"
            "\"status\":400,\"bytes\":0,\"duration\":null,\"referer\":null,"
            "\"user_agent\":null}\n");
}

TEST(access_log, the_client_is_written_without_its_port) {
  EXPECT_EQ(address_without_port("127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(address_without_port("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(address_without_port("unix"), "unix");
}

}  // namespace
}  // namespace teapot::srv
