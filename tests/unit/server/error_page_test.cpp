// The built-in error pages: the body, its headers, and the codes that get no body at all.
#include "server/error_page.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

namespace {

using teapot::http::language;
using teapot::http::status;

// Records what fill_error_page does, without a connection behind it.
struct fake_response {
  std::optional<status> status_set;
  std::optional<std::string> body;
  std::optional<std::string> content_type;
  std::map<std::string, std::string> headers;

  void set_status(status s) { status_set = s; }
  void set_body(std::string_view b, std::string_view type) {
    body = std::string(b);
    content_type = std::string(type);
  }
  void set_header(std::string_view name, std::string_view value) {
    headers[std::string(name)] = std::string(value);
  }
};

fake_response page_for(status s, language lang) {
  fake_response res;
  teapot::srv::fill_error_page(s, lang, res);
  return res;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(error_page, not_found_in_english) {
  const auto res = page_for(status::not_found, language::en);
  EXPECT_EQ(res.status_set, status::not_found);
  ASSERT_TRUE(res.body);
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(res.headers.at("Content-Language"), "en");
  EXPECT_EQ(res.headers.at("Vary"), "Accept-Language");
  EXPECT_TRUE(contains(*res.body, "<html lang=\"en\">"));
  EXPECT_TRUE(contains(*res.body, "<title>404 Not Found</title>"));
  EXPECT_TRUE(contains(*res.body, "<h1>404 Not Found</h1>"));
  EXPECT_TRUE(contains(*res.body, "The server has nothing at this address."));
  EXPECT_TRUE(contains(*res.body, "4xx client error"));
}

TEST(error_page, not_found_in_french) {
  const auto res = page_for(status::not_found, language::fr);
  ASSERT_TRUE(res.body);
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(res.headers.at("Content-Language"), "fr");
  EXPECT_TRUE(contains(*res.body, "<html lang=\"fr\">"));
  EXPECT_TRUE(contains(*res.body, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(contains(*res.body, "<title>404 Introuvable</title>"));
  EXPECT_TRUE(contains(*res.body, "Vérifiez"));
  EXPECT_TRUE(contains(*res.body, "4xx erreur du client"));
  EXPECT_FALSE(contains(*res.body, "Ã"));
}

TEST(error_page, codes_without_content_get_no_body_and_no_content_headers) {
  for (status s : {status::continue_, status::switching_protocols, status::early_hints,
                   status::no_content, status::reset_content, status::not_modified}) {
    const auto res = page_for(s, language::fr);
    EXPECT_EQ(res.status_set, s);
    EXPECT_FALSE(res.body) << teapot::http::to_int(s);
    EXPECT_TRUE(res.headers.empty()) << teapot::http::to_int(s);
    EXPECT_FALSE(teapot::srv::has_error_page_body(s));
    EXPECT_TRUE(teapot::srv::error_page_html(s, language::en).empty());
  }
}

TEST(error_page, every_page_is_a_small_complete_html_document) {
  for (const auto& e : teapot::http::all_statuses()) {
    if (!teapot::srv::has_error_page_body(e.code)) continue;
    for (language lang : {language::en, language::fr}) {
      const std::string page(teapot::srv::error_page_html(e.code, lang));
      const int code = teapot::http::to_int(e.code);
      EXPECT_EQ(page.rfind("<!DOCTYPE html>\n", 0), 0u) << code;
      EXPECT_TRUE(page.ends_with("</body>\n</html>\n")) << code;
      EXPECT_LT(page.size(), 1024u) << code;
      const std::string title =
          std::to_string(code) + " " + std::string(teapot::http::title(e.code, lang));
      EXPECT_TRUE(contains(page, "<title>" + title + "</title>")) << code;
      EXPECT_TRUE(contains(page, teapot::http::meaning(e.code, lang))) << code;
    }
  }
}

TEST(error_page, pages_are_built_once) {
  const auto first = teapot::srv::error_page_html(status::bad_request, language::fr);
  const auto second = teapot::srv::error_page_html(status::bad_request, language::fr);
  EXPECT_EQ(first.data(), second.data());
  EXPECT_NE(first, teapot::srv::error_page_html(status::bad_request, language::en));
}

TEST(error_page, unregistered_codes_get_a_page_with_their_number_and_class) {
  const auto res = page_for(static_cast<status>(599), language::en);
  ASSERT_TRUE(res.body);
  EXPECT_TRUE(contains(*res.body, "<title>599</title>"));
  EXPECT_TRUE(contains(*res.body, "5xx server error"));
  EXPECT_TRUE(teapot::srv::error_page_html(static_cast<status>(599), language::en).empty());
}

TEST(error_page, language_from_accept_language) {
  using teapot::srv::language_for;
  EXPECT_EQ(language_for(std::string_view{}), language::en);
  EXPECT_EQ(language_for("fr"), language::fr);
  EXPECT_EQ(language_for("fr-CA,fr;q=0.9,en;q=0.8"), language::fr);
  EXPECT_EQ(language_for("en;q=0.1, fr"), language::fr);
  EXPECT_EQ(language_for("de-DE, de;q=0.9"), language::en);
  EXPECT_EQ(language_for("fr;q=2"), language::en);
}

TEST(error_page, language_from_a_request) {
  teapot::header_field fields[] = {{"accept-language", "fr-BE"}};
  teapot::request req;
  req.headers = fields;
  EXPECT_EQ(teapot::srv::language_for(req), language::fr);
  EXPECT_EQ(teapot::srv::language_for(teapot::request{}), language::en);
}

TEST(error_page, written_into_a_real_response) {
  teapot::response res;
  res.error(status::method_not_allowed);
  teapot::srv::write_error_page(res.status(), language::fr, res);
  EXPECT_EQ(res.status(), status::method_not_allowed);
  EXPECT_EQ(res.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(res.header("Content-Language"), "fr");
  EXPECT_TRUE(contains(res.body(), "405 Méthode non autorisée"));
  EXPECT_FALSE(res.wants_error_page());
}

}  // namespace
