// Response heads as written (RFC 9112 §4, §6, §9.6): the framing fields and how persistence and
// an upgrade are spelled in Connection.
#include "h1/serializer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using teapot::h1::append_response_head;
using teapot::h1::head_params;

std::string head_of(const head_params& p,
                    std::vector<std::pair<std::string_view, std::string_view>> fields = {}) {
  std::string out;
  append_response_head(out, p, [&fields](auto&& emit) {
    for (const auto& [n, v] : fields)
      emit(n, v);
  });
  return out;
}

TEST(response_head, writes_the_status_line_fields_and_length) {
  head_params p;
  p.content_length = 5;
  p.server = "teapot";
  EXPECT_EQ(head_of(p, {{"Content-Type", "text/plain"}}),
            "HTTP/1.1 200 OK\r\nServer: teapot\r\nContent-Type: text/plain\r\n"
            "Content-Length: 5\r\n\r\n");
}

TEST(response_head, spells_persistence_as_the_requests_version_needs) {
  head_params p;
  p.keep_alive = false;
  EXPECT_NE(head_of(p).find("\r\nConnection: close\r\n"), std::string::npos);
  p.keep_alive = true;
  p.version_minor = 0;
  EXPECT_NE(head_of(p).find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  p.version_minor = 1;
  EXPECT_EQ(head_of(p).find("Connection"), std::string::npos);
}

TEST(response_head, a_response_with_upgrade_names_it_in_connection) {
  // RFC 9110 §7.8: a 426's Upgrade, and the connection option that keeps it to this hop.
  head_params p;
  p.status = teapot::http::status::upgrade_required;
  EXPECT_NE(head_of(p, {{"Upgrade", "websocket"}}).find("\r\nConnection: upgrade\r\n"),
            std::string::npos);
  p.keep_alive = false;
  EXPECT_NE(head_of(p, {{"upgrade", "websocket"}}).find("\r\nConnection: close, upgrade\r\n"),
            std::string::npos);
  // HTTP/1.0 knows no upgrade (§7.8: its Upgrade is ignored); nothing is added for it.
  p.keep_alive = true;
  p.version_minor = 0;
  EXPECT_EQ(head_of(p, {{"Upgrade", "websocket"}}).find("upgrade\r\n"), std::string::npos);
}

}  // namespace
