// The 503 of a connection past limits.max_connections: the bytes a refusal sends.
#include "server/overload_answer.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "server/error_page.h"

namespace {

using namespace std::chrono_literals;
using teapot::http::status;
using teapot::srv::overload_answer;

teapot::server_options options_with_retry(std::chrono::seconds retry) {
  teapot::server_options o;
  o.limits.max_connections = 4;
  o.limits.overload_retry_after = retry;
  return o;
}

// The message as a refusal sends it, with date in its Date field.
std::string sent(const overload_answer& answer, std::string_view date) {
  std::string out;
  for (const iovec& piece : answer.pieces(date))
    out.append(static_cast<const char*>(piece.iov_base), piece.iov_len);
  return out;
}

std::string expected_head(std::string_view date, std::size_t length) {
  return "HTTP/1.1 503 Service Unavailable\r\nDate: " + std::string(date) +
         "\r\nServer: teapot\r\n"
         // The representation's typed metadata comes first (response::for_each_header).
         "Content-Type: text/html; charset=utf-8\r\nRetry-After: 7\r\nContent-Language: en\r\n"
         "Vary: Accept, Accept-Language\r\nCache-Control: no-store\r\n"
         "Content-Length: " +
         std::to_string(length) + "\r\nConnection: close\r\n\r\n";
}

TEST(overload_answer, is_the_built_in_503_page_with_retry_after_and_connection_close) {
  const teapot::server_options o = options_with_retry(7s);
  const teapot::site site;
  const overload_answer answer(o, &site);
  const std::string_view page =
      teapot::srv::error_page_html(status::service_unavailable, teapot::http::language::en);
  ASSERT_FALSE(page.empty());
  constexpr std::string_view date = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(sent(answer, date), expected_head(date, page.size()) + std::string(page));
  EXPECT_EQ(answer.size(), answer.rendered().size());
}

TEST(overload_answer, without_a_default_site_is_the_built_in_page_too) {
  const overload_answer answer(options_with_retry(7s), nullptr);
  const std::string_view page =
      teapot::srv::error_page_html(status::service_unavailable, teapot::http::language::en);
  constexpr std::string_view date = "Mon, 07 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(sent(answer, date), expected_head(date, page.size()) + std::string(page));
}

TEST(overload_answer, is_the_default_sites_own_503_page_when_it_has_one) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("teapot-overload-" + std::to_string(::getpid()) + "-503.html");
  std::ofstream(file, std::ios::binary) << "<p>Full, come back soon</p>\n";
  teapot::site site;
  site.set_error_pages({.files = {{503, file}}, .cache_control = "max-age=5"});
  std::filesystem::remove(file);
  const overload_answer answer(options_with_retry(7s), &site);
  const std::string text = sent(answer, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_TRUE(text.ends_with("\r\n\r\n<p>Full, come back soon</p>\n")) << text;
  EXPECT_NE(text.find("\r\nContent-Length: 28\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nCache-Control: max-age=5\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nRetry-After: 7\r\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Content-Language"), std::string::npos) << text;
}

}  // namespace
