// The texts of explain and the error pages: present for every code in both languages, French
// in correct UTF-8, and the required header fields where the RFCs ask for them.
#include "http/status_descriptions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using teapot::http::language;
using teapot::http::status;

// RFC 3629 §4: rejects overlong forms, surrogates and code points above U+10FFFF.
bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      extra = 1, min = 0x80, cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2, min = 0x800, cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3, min = 0x10000, cp = b & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

TEST(utf8_check, tells_valid_from_invalid) {
  EXPECT_TRUE(is_valid_utf8("réponse « théière » n’a"));
  EXPECT_FALSE(is_valid_utf8("r\xe9ponse"));    // Latin-1 é
  EXPECT_FALSE(is_valid_utf8("\xc3"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

std::vector<std::string_view> all_texts(language lang) {
  std::vector<std::string_view> texts;
  for (const auto& e : teapot::http::all_statuses()) {
    texts.push_back(teapot::http::title(e.code, lang));
    texts.push_back(teapot::http::meaning(e.code, lang));
    texts.push_back(teapot::http::class_title(e.code, lang));
  }
  return texts;
}

TEST(status_descriptions, every_code_has_a_title_and_a_meaning_in_both_languages) {
  for (const auto& e : teapot::http::all_statuses()) {
    for (language lang : {language::en, language::fr}) {
      const int code = teapot::http::to_int(e.code);
      EXPECT_FALSE(teapot::http::title(e.code, lang).empty()) << code;
      const auto text = teapot::http::meaning(e.code, lang);
      EXPECT_GE(text.size(), 40u) << code;
      EXPECT_LE(text.size(), 320u) << code;
      EXPECT_EQ(text.back(), '.') << code;
    }
  }
}

TEST(status_descriptions, english_title_is_the_wire_phrase) {
  for (const auto& e : teapot::http::all_statuses())
    EXPECT_EQ(teapot::http::title(e.code, language::en), e.reason);
  EXPECT_EQ(teapot::http::title(status::im_a_teapot, language::en), "I'm a teapot");
}

TEST(status_descriptions, french_titles_are_french) {
  EXPECT_EQ(teapot::http::title(status::not_found, language::fr), "Introuvable");
  EXPECT_EQ(teapot::http::title(status::forbidden, language::fr), "Accès interdit");
  EXPECT_EQ(teapot::http::title(status::im_a_teapot, language::fr), "Je suis une théière");
  EXPECT_EQ(teapot::http::title(status::internal_server_error, language::fr),
            "Erreur interne du serveur");
  EXPECT_EQ(teapot::http::title(status::method_not_allowed, language::fr), "Méthode non autorisée");
  int same_as_english = 0;
  for (const auto& e : teapot::http::all_statuses())
    same_as_english += teapot::http::title(e.code, language::fr) == e.reason;
  EXPECT_LE(same_as_english, 1);  // "OK" is the one title both languages share
}

TEST(status_descriptions, french_texts_are_valid_utf8_without_mojibake) {
  int accented = 0;
  for (std::string_view text : all_texts(language::fr)) {
    EXPECT_TRUE(is_valid_utf8(text)) << text;
    // "Ã" and "Â" are what UTF-8 accents look like once decoded as Latin-1 or Windows-1252.
    EXPECT_EQ(text.find("Ã"), std::string_view::npos) << text;
    EXPECT_EQ(text.find("Â"), std::string_view::npos) << text;
    EXPECT_EQ(text.find('\''), std::string_view::npos) << "typographic apostrophe: " << text;
    accented += text.find("é") != std::string_view::npos;
  }
  EXPECT_GT(accented, 60);
}

TEST(status_descriptions, texts_hold_no_markup_characters) {
  for (language lang : {language::en, language::fr})
    for (std::string_view text : all_texts(lang))
      EXPECT_EQ(text.find_first_of("<>&\""), std::string_view::npos) << text;
}

TEST(status_descriptions, class_titles) {
  EXPECT_EQ(teapot::http::class_title(status::not_found, language::en), "4xx client error");
  EXPECT_EQ(teapot::http::class_title(status::not_found, language::fr), "4xx erreur du client");
  EXPECT_EQ(teapot::http::class_title(status::bad_gateway, language::fr), "5xx erreur du serveur");
  EXPECT_EQ(teapot::http::class_title(status::ok, language::fr), "2xx succès");
  EXPECT_EQ(teapot::http::class_title(static_cast<status>(299), language::en), "2xx success");
  EXPECT_TRUE(teapot::http::class_title(static_cast<status>(600), language::en).empty());
}

TEST(status_descriptions, unregistered_numbers_have_no_text) {
  EXPECT_TRUE(teapot::http::title(static_cast<status>(299), language::en).empty());
  EXPECT_TRUE(teapot::http::meaning(static_cast<status>(419), language::fr).empty());
  EXPECT_TRUE(teapot::http::required_headers(static_cast<status>(299)).empty());
}

std::vector<std::string_view> headers_of(int code) {
  const auto h = teapot::http::required_headers(static_cast<status>(code));
  return {h.begin(), h.end()};
}

TEST(status_descriptions, required_headers_follow_the_rfcs) {
  using v = std::vector<std::string_view>;
  EXPECT_EQ(headers_of(101), (v{"Upgrade", "Connection"}));
  EXPECT_EQ(headers_of(103), v{"Link"});
  EXPECT_EQ(headers_of(206), v{"Content-Range"});
  for (int code : {301, 302, 303, 307, 308})
    EXPECT_EQ(headers_of(code), v{"Location"}) << code;
  EXPECT_EQ(headers_of(401), v{"WWW-Authenticate"});
  EXPECT_EQ(headers_of(405), v{"Allow"});
  EXPECT_EQ(headers_of(407), v{"Proxy-Authenticate"});
  EXPECT_EQ(headers_of(408), v{"Connection"});
  EXPECT_EQ(headers_of(416), v{"Content-Range"});
  EXPECT_EQ(headers_of(426), (v{"Upgrade", "Connection"}));
  EXPECT_EQ(headers_of(429), v{"Retry-After"});
  EXPECT_EQ(headers_of(451), v{"Link"});
  EXPECT_EQ(headers_of(503), v{"Retry-After"});
  for (int code : {200, 204, 304, 404, 500})
    EXPECT_TRUE(headers_of(code).empty()) << code;
}

TEST(status_descriptions, language_tags) {
  EXPECT_EQ(teapot::http::language_tag(language::en), "en");
  EXPECT_EQ(teapot::http::language_tag(language::fr), "fr");
  ASSERT_EQ(teapot::http::supported_language_tags().size(), 2u);
  EXPECT_EQ(teapot::http::supported_language_tags()[0], "en");
  EXPECT_EQ(teapot::http::language_from_tag("FR"), language::fr);
  EXPECT_EQ(teapot::http::language_from_tag("de"), language::en);
  EXPECT_EQ(teapot::http::language_from_tag(""), language::en);
}

}  // namespace
