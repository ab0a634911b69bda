#include "teapot/response.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "server/response_access.h"

namespace teapot {
namespace {

std::vector<std::string> fields_of(const response& res) {
  std::vector<std::string> out;
  res.for_each_header([&](std::string_view n, std::string_view v) {
    out.push_back(std::string(n) + ": " + std::string(v));
  });
  return out;
}

TEST(response, keeps_fields_in_the_order_added) {
  response res;
  res.add_header("X-One", "1");
  res.add_header("X-Two", "2");
  res.add_header("X-One", "3");
  EXPECT_EQ(fields_of(res), (std::vector<std::string>{"X-One: 1", "X-Two: 2", "X-One: 3"}));
}

TEST(response, set_header_replaces_every_field_of_the_name_case_insensitively) {
  response res;
  res.add_header("X-One", "1");
  res.add_header("x-one", "2");
  res.set_header("X-ONE", "3");
  EXPECT_EQ(fields_of(res), (std::vector<std::string>{"X-ONE: 3"}));
  EXPECT_EQ(res.header("x-one"), "3");
}

TEST(response, never_takes_a_field_that_could_split_the_response) {
  response res;
  res.add_header("X-Evil", "a\r\nSet-Cookie: x=1");
  res.add_header("X-Nul", std::string_view("a\0b", 3));
  res.add_header("Bad Name", "v");
  res.add_header("", "v");
  res.add_header("Colon:", "v");
  EXPECT_TRUE(fields_of(res).empty());
}

TEST(response, error_asks_for_the_standard_page_until_a_body_is_set) {
  response res;
  res.error(http::status::not_found);
  EXPECT_TRUE(res.wants_error_page());
  res.html("<p>custom</p>");
  EXPECT_FALSE(res.wants_error_page());
  EXPECT_EQ(res.status(), http::status::not_found);
}

TEST(response, a_success_never_wants_an_error_page) {
  response res;
  EXPECT_FALSE(res.wants_error_page());
}

TEST(response, reset_clears_everything_and_closes_the_file) {
  response res;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  res.set_status(http::status::created);
  res.add_header("X-A", "b");
  res.set_file(fds[0], 0, 10, "text/plain");
  EXPECT_EQ(res.content_length(), 10u);
  srv::response_access::reset(res, nullptr);
  EXPECT_EQ(res.status(), http::status::ok);
  EXPECT_TRUE(fields_of(res).empty());
  EXPECT_FALSE(res.has_file());
  EXPECT_EQ(::fcntl(fds[0], F_GETFD), -1);  // closed by reset
  ::close(fds[1]);
}

// RFC 9110 §15.3.7.3: a client combines parts only under a strong validator. By default,
// ranges are offered for a file or for content with a strong tag; a handler may say otherwise.
TEST(response, offers_ranges_for_a_file_or_a_strong_tag_unless_told) {
  struct ranges_case {
    const char* name;
    bool file;
    const char* etag;  // empty: none
    int choice;        // -1: not set, 0: refused, 1: allowed
    bool allowed;
  };
  const ranges_case cases[] = {
      {"bytes made per request", false, "", -1, false},
      {"bytes with a weak tag", false, "W/\"v1\"", -1, false},
      {"bytes with a strong tag", false, "\"v1\"", -1, true},
      {"a file", true, "", -1, true},
      {"bytes the handler allows", false, "", 1, true},
      {"a file the handler refuses", true, "\"v1\"", 0, false},
  };
  for (const ranges_case& c : cases) {
    response res;
    int fds[2] = {-1, -1};
    if (c.file) {
      ASSERT_EQ(::pipe(fds), 0);
      res.set_file(fds[0], 0, 10, "text/plain");
    } else {
      res.text("0123456789");
    }
    if (*c.etag != '\0') res.set_etag(c.etag);
    if (c.choice >= 0) res.set_ranges_allowed(c.choice == 1);
    EXPECT_EQ(res.ranges_allowed(), c.allowed) << c.name;
    srv::response_access::reset(res, nullptr);  // closes the file
    EXPECT_FALSE(res.ranges_allowed()) << c.name << ": after reset";
    if (fds[1] >= 0) ::close(fds[1]);
  }
}

TEST(response, redirect_sets_status_and_location) {
  response res;
  res.redirect(http::status::see_other, "/jobs/1/result");
  EXPECT_EQ(res.status(), http::status::see_other);
  EXPECT_EQ(res.header("Location"), "/jobs/1/result");
}

TEST(response, interim_responses_need_a_connection_and_a_1xx_code) {
  response res;
  std::pair<std::string_view, std::string_view> link{"Link", "</a.css>; rel=preload"};
  EXPECT_FALSE(res.send_interim(http::status::early_hints, {&link, 1}));
}

}  // namespace
}  // namespace teapot
