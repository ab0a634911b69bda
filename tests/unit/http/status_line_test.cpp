#include "http/status_line.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using teapot::http::status;
using teapot::http::status_line;

TEST(status_line, is_the_http_1_1_line_of_every_registered_code) {
  for (const auto& e : teapot::http::all_statuses()) {
    const std::string expected = "HTTP/1.1 " + std::to_string(teapot::http::to_int(e.code)) + " " +
                                 std::string(e.reason) + "\r\n";
    EXPECT_EQ(status_line(e.code), expected);
  }
}

TEST(status_line, known_examples) {
  EXPECT_EQ(status_line(status::ok), "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(status_line(status::continue_), "HTTP/1.1 100 Continue\r\n");
  EXPECT_EQ(status_line(status::im_a_teapot), "HTTP/1.1 418 I'm a teapot\r\n");
  EXPECT_EQ(status_line(status::content_too_large), "HTTP/1.1 413 Content Too Large\r\n");
  EXPECT_EQ(status_line(status::network_authentication_required),
            "HTTP/1.1 511 Network Authentication Required\r\n");
  EXPECT_EQ(status_line(status::request_header_fields_too_large),
            "HTTP/1.1 431 Request Header Fields Too Large\r\n");
}

TEST(status_line, unregistered_numbers_get_an_empty_reason_phrase) {
  EXPECT_EQ(status_line(static_cast<status>(299)), "HTTP/1.1 299 \r\n");
  EXPECT_EQ(status_line(static_cast<status>(100 + 9)), "HTTP/1.1 109 \r\n");
  EXPECT_EQ(status_line(static_cast<status>(599)), "HTTP/1.1 599 \r\n");
}

TEST(status_line, numbers_outside_100_to_599_get_the_500_line) {
  EXPECT_EQ(status_line(static_cast<status>(99)), "HTTP/1.1 500 Internal Server Error\r\n");
  EXPECT_EQ(status_line(static_cast<status>(600)), "HTTP/1.1 500 Internal Server Error\r\n");
}

TEST(status_line, returns_the_same_bytes_on_every_call) {
  // The table is built once: a second call must not format a new string.
  const auto first = status_line(status::not_found);
  const auto second = status_line(status::not_found);
  EXPECT_EQ(first.data(), second.data());
}

}  // namespace
