// The built-in error pages: the body, its headers, and the codes that get no body at all.
#include "server/error_page.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "teapot/server.h"
#include "teapot/site.h"

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
  std::optional<std::string> header(std::string_view name) const {
    const auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return it->second;
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

// -- Cache-Control (pages are never cached by default) ----------------------------------------

TEST(error_page, client_and_server_errors_are_not_stored) {
  for (status s : {status::bad_request, status::not_found, status::gone, status::im_a_teapot,
                   status::internal_server_error, status::service_unavailable}) {
    const auto res = page_for(s, language::en);
    EXPECT_EQ(res.headers.at("Cache-Control"), "no-store") << teapot::http::to_int(s);
  }
  const auto unregistered = page_for(static_cast<status>(599), language::en);
  EXPECT_EQ(unregistered.headers.at("Cache-Control"), "no-store");
}

TEST(error_page, a_cache_control_already_set_is_kept) {
  fake_response res;
  res.set_header("Cache-Control", "max-age=60");
  teapot::srv::fill_error_page(status::not_found, language::fr, res);
  EXPECT_EQ(res.headers.at("Cache-Control"), "max-age=60");

  teapot::response real;
  real.error(status::gone);
  real.set_header("Cache-Control", "public, max-age=3600");
  teapot::srv::write_error_page(real.status(), language::en, real);
  EXPECT_EQ(real.header("Cache-Control"), "public, max-age=3600");
}

TEST(error_page, only_errors_get_no_store) {
  // A 3xx page or a body-less code is none of this field's business.
  EXPECT_FALSE(page_for(status::moved_permanently, language::en).headers.contains("Cache-Control"));
  EXPECT_FALSE(page_for(status::not_modified, language::en).headers.contains("Cache-Control"));
}

TEST(error_page, a_real_error_response_gets_no_store) {
  teapot::response res;
  res.error(status::not_found);
  teapot::srv::write_error_page(res.status(), language::en, res);
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
}

// -- problem details (RFC 9457) -----------------------------------------------------------------

using teapot::srv::error_format;
using teapot::srv::page_language;

fake_response error_for(status s, page_language lang, error_format format) {
  fake_response res;
  teapot::srv::fill_error_page(s, lang, format, res);
  return res;
}

TEST(error_page, problem_json_for_not_found_in_english) {
  const auto res = error_for(status::not_found, page_language::en, error_format::problem_json);
  EXPECT_EQ(res.status_set, status::not_found);
  EXPECT_EQ(res.content_type, "application/problem+json; charset=utf-8");
  EXPECT_EQ(res.body,
            R"({"type":"about:blank","title":"Not Found","status":404,)"
            R"("detail":"The server has nothing at this address. Check the address for typing )"
            R"(mistakes, or start again from the site's home page."})");
  EXPECT_EQ(res.headers.at("Content-Language"), "en");
  EXPECT_EQ(res.headers.at("Vary"), "Accept, Accept-Language");
  EXPECT_EQ(res.headers.at("Cache-Control"), "no-store");
}

TEST(error_page, problem_json_for_not_found_in_french) {
  const auto res = error_for(status::not_found, page_language::fr, error_format::problem_json);
  EXPECT_EQ(res.body,
            "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
            "\"detail\":\"Le serveur n\u2019a rien \u00e0 cette adresse. V\u00e9rifiez "
            "qu\u2019elle ne contient pas de faute de frappe, ou repartez de la page "
            "d\u2019accueil du site.\"}");
  EXPECT_EQ(res.headers.at("Content-Language"), "fr");
}

TEST(error_page, problem_json_of_an_unregistered_code_leaves_out_what_it_does_not_know) {
  EXPECT_EQ(teapot::srv::render_problem_json(static_cast<status>(599), page_language::en),
            R"({"type":"about:blank","status":599})");
}

TEST(error_page, problem_json_of_every_code_is_escaped_text) {
  for (const auto& e : teapot::http::all_statuses()) {
    const std::string json = teapot::srv::render_problem_json(e.code, page_language::fr);
    EXPECT_EQ(json.find('\n'), std::string::npos) << teapot::http::to_int(e.code);
    EXPECT_TRUE(json.ends_with("\"}")) << teapot::http::to_int(e.code);
  }
}

TEST(error_page, json_string_escaping) {
  const auto escaped = [](std::string_view text) {
    std::string out;
    teapot::srv::append_json_string_chars(out, text);
    return out;
  };
  EXPECT_EQ(escaped("plain"), "plain");
  EXPECT_EQ(escaped("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(escaped("a\\b"), "a\\\\b");
  EXPECT_EQ(escaped("l1\nl2\r\t"), "l1\\nl2\\r\\t");
  EXPECT_EQ(escaped(std::string_view("\x01\x1f\x00", 3)), "\\u0001\\u001f\\u0000");
  EXPECT_EQ(escaped("\x7f"), "\x7f");
  EXPECT_EQ(escaped("caf\u00e9 \u2019 </script>"), "caf\u00e9 \u2019 </script>");
}

TEST(error_page, format_from_accept) {
  using teapot::srv::error_format_for;
  EXPECT_EQ(error_format_for(std::nullopt), error_format::html);
  EXPECT_EQ(error_format_for(""), error_format::html);
  EXPECT_EQ(error_format_for("*/*"), error_format::html);
  EXPECT_EQ(error_format_for("application/json"), error_format::problem_json);
  EXPECT_EQ(error_format_for("application/problem+json"), error_format::problem_json);
  EXPECT_EQ(error_format_for("application/json, text/html"), error_format::html);
  EXPECT_EQ(error_format_for("text/html;q=0.5, application/json"), error_format::problem_json);
  EXPECT_EQ(error_format_for("application/*, text/*;q=0.1"), error_format::problem_json);
  EXPECT_EQ(error_format_for("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            error_format::html);
  EXPECT_EQ(error_format_for("application/json;q=2"), error_format::html);  // malformed
}

TEST(error_page, chosen_from_a_request) {
  teapot::header_field fields[] = {{"accept", "application/json"}, {"accept-language", "fr-CA"}};
  teapot::request req;
  req.headers = fields;
  teapot::response res;
  res.error(status::not_found);
  teapot::srv::write_error_page(res.status(), req, res);
  EXPECT_EQ(res.header("Content-Type"), "application/problem+json; charset=utf-8");
  EXPECT_EQ(res.header("Content-Language"), "fr");
  EXPECT_EQ(res.header("Vary"), "Accept, Accept-Language");
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
  EXPECT_TRUE(contains(res.body(), "\"status\":404"));
  EXPECT_FALSE(res.wants_error_page());

  teapot::response page;
  page.error(status::not_found);
  teapot::srv::write_error_page(page.status(), teapot::request{}, page);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.header("Content-Language"), "en");
  EXPECT_EQ(page.header("Vary"), "Accept, Accept-Language");
  EXPECT_TRUE(contains(page.body(), "<title>404 Not Found</title>"));
}

// -- fr-x-uwu -------------------------------------------------------------------------------------

// Whether text is well-formed UTF-8 (RFC 3629 §4): no stray continuation byte, no truncated,
// overlong or surrogate sequence.
bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

TEST(error_page, uwu_filter_table) {
  struct row {
    std::string_view in, out;
  };
  const row rows[] = {
      {"", ""},
      {"Le serveur", "we sewveuw"},
      {"RIEN", "wien"},
      {"Non", "nyon"},
      {"une", "unye"},
      {"n", "n"},
      {"un deux trois pas", "un deux twois p-pas"},
      {"a b c d e f g h", "a b c d-d e f g h-h"},
      {"Réseau élan", "wéseau éwan"},  // UTF-8 letters are part of the word, kept as they are
      {"n’a", "n’a"},                  // ’ is not a vowel
      {"404 — Introuvable !", "404 — intwouvabwe !"},
      {"1 2 3 4 ils", "1 2 3 4 iws"},  // only words that start with a letter count
  };
  for (const auto& r : rows)
    EXPECT_EQ(teapot::srv::uwu_filter(r.in), r.out) << r.in;
}

TEST(error_page, uwu_keeps_every_french_text_valid_utf8) {
  EXPECT_TRUE(is_valid_utf8("é ’ 😀"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));
  EXPECT_FALSE(is_valid_utf8("\xa9"));
  for (const auto& e : teapot::http::all_statuses()) {
    const std::string meaning =
        teapot::srv::uwu_filter(teapot::http::meaning(e.code, language::fr));
    EXPECT_TRUE(is_valid_utf8(meaning)) << teapot::http::to_int(e.code);
    if (!teapot::srv::has_error_page_body(e.code)) continue;
    const std::string page(teapot::srv::error_page_html(e.code, page_language::fr_x_uwu));
    EXPECT_TRUE(is_valid_utf8(page)) << teapot::http::to_int(e.code);
    EXPECT_TRUE(page.ends_with("</body>\n</html>\n")) << teapot::http::to_int(e.code);
  }
}

TEST(error_page, not_found_in_uwu) {
  const auto res = error_for(status::not_found, page_language::fr_x_uwu, error_format::html);
  ASSERT_TRUE(res.body);
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(res.headers.at("Content-Language"), "fr-x-uwu");
  EXPECT_EQ(res.headers.at("Cache-Control"), "no-store");
  EXPECT_TRUE(contains(*res.body, "<html lang=\"fr-x-uwu\">"));
  EXPECT_TRUE(contains(*res.body, "<title>404 intwouvabwe</title>"));
  EXPECT_TRUE(contains(*res.body, "we sewveuw n’a w-wien à cette adwesse. véwifiez"));
  EXPECT_TRUE(contains(*res.body, "</head>"));  // the markup itself is not filtered
  EXPECT_FALSE(contains(*res.body, "Ã"));
}

TEST(error_page, uwu_only_for_a_client_that_names_it) {
  using teapot::srv::page_language_for;
  EXPECT_EQ(page_language_for(std::string_view{}), page_language::en);
  EXPECT_EQ(page_language_for("fr-x-uwu"), page_language::fr_x_uwu);
  EXPECT_EQ(page_language_for("FR-X-UWU, en;q=0.5"), page_language::fr_x_uwu);
  EXPECT_EQ(page_language_for("fr"), page_language::fr);
  EXPECT_EQ(page_language_for("fr-CA"), page_language::fr);
  EXPECT_EQ(page_language_for("*"), page_language::en);
  EXPECT_EQ(page_language_for("de, *;q=0.5"), page_language::en);
  // The old chooser still knows only en and fr: uwu is truncated to French there.
  EXPECT_EQ(teapot::srv::language_for("fr-x-uwu"), language::fr);
  EXPECT_EQ(teapot::srv::page_language_tag(page_language::fr_x_uwu), "fr-x-uwu");
  EXPECT_EQ(teapot::http::supported_language_tags().size(), 2u);  // explain: en|fr only
}

// -- a site's own pages and options -----------------------------------------------------------

// A scratch file that lives as long as the test.
struct scratch_file {
  std::filesystem::path path;
  scratch_file(std::string_view name, std::string_view text)
      : path(std::filesystem::temp_directory_path() /
             ("teapot-error-page-" + std::to_string(::getpid()) + "-" + std::string(name))) {
    std::ofstream(path, std::ios::binary) << text;
  }
  ~scratch_file() { std::filesystem::remove(path); }
};

teapot::request request_with(std::span<const teapot::header_field> fields) {
  teapot::request req;
  req.headers = fields;
  return req;
}

TEST(site_error_page, a_file_replaces_the_page_of_its_code_without_a_language) {
  const scratch_file page("404.html", "<p>Rien ici — nothing here</p>\n");
  teapot::site site;
  site.set_error_pages({.files = {{404, page.path}}});
  const teapot::header_field fields[] = {{"Accept-Language", "fr"}};
  fake_response res;
  teapot::srv::fill_error_page(status::not_found, request_with(fields), &site, res);
  EXPECT_EQ(res.status_set, status::not_found);
  EXPECT_EQ(res.body, "<p>Rien ici — nothing here</p>\n");
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(res.header("Content-Language"));
  EXPECT_EQ(res.header("Vary"), "Accept, Accept-Language");  // problem details stay possible
  EXPECT_EQ(res.header("Cache-Control"), "no-store");

  // Another code keeps the built-in page, in the client's language.
  fake_response other;
  teapot::srv::fill_error_page(status::gone, request_with(fields), &site, other);
  EXPECT_EQ(other.header("Content-Language"), "fr");
  EXPECT_TRUE(contains(*other.body, "<html lang=\"fr\">"));
}

TEST(site_error_page, problem_json_off_keeps_html_for_a_json_client) {
  const scratch_file page("410.txt", "gone for good\n");
  teapot::site site;
  site.set_error_pages({.files = {{410, page.path}}, .problem_json = false});
  const teapot::header_field fields[] = {{"Accept", "application/json"}};
  fake_response own;
  teapot::srv::fill_error_page(status::gone, request_with(fields), &site, own);
  EXPECT_EQ(own.body, "gone for good\n");
  EXPECT_EQ(own.content_type, "text/plain; charset=utf-8");
  EXPECT_FALSE(own.header("Vary"));  // every client gets the same file
  fake_response builtin;
  teapot::srv::fill_error_page(status::not_found, request_with(fields), &site, builtin);
  EXPECT_EQ(builtin.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(builtin.header("Vary"), "Accept-Language");
}

TEST(site_error_page, the_site_chooses_cache_control_or_none) {
  teapot::site site;
  site.set_error_pages({.cache_control = "max-age=60"});
  fake_response res;
  teapot::srv::fill_error_page(status::not_found, teapot::request{}, &site, res);
  EXPECT_EQ(res.header("Cache-Control"), "max-age=60");
  site.set_error_pages({.cache_control = ""});
  fake_response none;
  teapot::srv::fill_error_page(status::not_found, teapot::request{}, &site, none);
  EXPECT_FALSE(none.header("Cache-Control"));
}

TEST(site_error_page, without_a_site_the_built_in_behaviour_applies) {
  fake_response res;
  teapot::srv::fill_error_page(status::bad_request, teapot::request{},
                               static_cast<const teapot::site*>(nullptr), res);
  EXPECT_EQ(res.header("Content-Language"), "en");
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
}

TEST(site_error_page, a_code_without_content_stays_without) {
  const scratch_file page("304.html", "never sent");
  teapot::site site;
  site.set_error_pages({.files = {{404, page.path}}});
  fake_response res;
  teapot::srv::fill_error_page(status::not_modified, teapot::request{}, &site, res);
  EXPECT_FALSE(res.body);
}

TEST(site_error_page, set_error_pages_refuses_what_it_cannot_serve) {
  teapot::site site;
  EXPECT_THROW(site.set_error_pages({.files = {{404, "/nonexistent/teapot/404.html"}}}),
               std::system_error);
  EXPECT_THROW(site.set_error_pages({.files = {{404, std::filesystem::temp_directory_path()}}}),
               std::system_error);
  const scratch_file page("200.html", "fine");
  EXPECT_THROW(site.set_error_pages({.files = {{200, page.path}}}), std::invalid_argument);
  EXPECT_EQ(site.custom_page_for(status::not_found), nullptr);  // left unchanged
}

TEST(body_limits, the_longest_matching_prefix_wins_over_the_default) {
  teapot::limits l;
  l.body = 1000;
  l.body_by_prefix = {{"/upload/", 5000}, {"/upload/small/", 10}, {"/up", 7}};
  EXPECT_EQ(l.body_for("/"), 1000u);
  EXPECT_EQ(l.body_for("/upload"), 7u);
  EXPECT_EQ(l.body_for("/upload/a"), 5000u);
  EXPECT_EQ(l.body_for("/upload/small/a"), 10u);
  EXPECT_EQ(l.body_for("/UPLOAD/a"), 1000u);  // byte for byte
  EXPECT_EQ(l.body_for("*"), 1000u);
}

}  // namespace
