// What `teapot explain CODE [--lang en|fr]` prints.
#include "http/explain.h"

#include <gtest/gtest.h>

namespace {

using teapot::http::explain;
using teapot::http::language;

TEST(explain, not_found_in_english) {
  EXPECT_EQ(explain(404, language::en),
            "404 Not Found\n"
            "Class: 4xx client error\n"
            "Meaning: The server has nothing at this address. Check the address for typing "
            "mistakes, or start again from the site's home page.\n"
            "Defined in: RFC 9110, Section 15.5.5\n"
            "Required headers: none\n");
}

TEST(explain, not_found_in_french) {
  EXPECT_EQ(explain(404, language::fr),
            "404 Introuvable (Not Found)\n"
            "Classe : 4xx erreur du client\n"
            "Signification : Le serveur n’a rien à cette adresse. Vérifiez qu’elle ne contient "
            "pas de faute de frappe, ou repartez de la page d’accueil du site.\n"
            "Définition : RFC 9110, Section 15.5.5\n"
            "En-têtes requis : aucun\n");
}

TEST(explain, lists_the_required_headers) {
  const std::string text = explain(405, language::en);
  EXPECT_NE(text.find("Required headers: Allow\n"), std::string::npos) << text;
  EXPECT_NE(explain(101, language::fr).find("En-têtes requis : Upgrade, Connection\n"),
            std::string::npos);
}

TEST(explain, says_should_and_may_where_the_rfc_does) {
  const std::string too_many = explain(429, language::en);
  EXPECT_NE(too_many.find("Required headers: none\n"), std::string::npos) << too_many;
  EXPECT_NE(too_many.find("Headers teapot adds: Retry-After (RFC 6585: may)\n"), std::string::npos)
      << too_many;
  const std::string legal = explain(451, language::en);
  EXPECT_NE(legal.find("Recommended headers: Link (RFC 7725: should)\n"), std::string::npos)
      << legal;
  EXPECT_NE(explain(503, language::fr)
                .find("En-têtes ajoutés par teapot : Retry-After (RFC 9110 : peut)\n"),
            std::string::npos)
      << explain(503, language::fr);
  EXPECT_EQ(explain(405, language::en).find("Recommended"), std::string::npos);
}

TEST(explain, a_parenthesised_reason_is_not_wrapped_twice) {
  EXPECT_EQ(explain(306, language::fr).rfind("306 (Inutilisé) (Unused)\n", 0), 0u)
      << explain(306, language::fr);
}

TEST(explain, teapot_shows_the_registry_label_beside_the_wire_phrase) {
  const std::string text = explain(418, language::en);
  EXPECT_EQ(text.rfind("418 I'm a teapot\n", 0), 0u) << text;
  EXPECT_NE(text.find("Registry name: (Unused)\n"), std::string::npos) << text;
  EXPECT_NE(explain(418, language::fr).find("418 Je suis une théière (I'm a teapot)\n"),
            std::string::npos);
}

TEST(explain, codes_never_sent_say_so) {
  EXPECT_NE(explain(305, language::en).find("never sends"), std::string::npos);
  EXPECT_NE(explain(306, language::fr).find("n’envoie jamais"), std::string::npos);
  EXPECT_EQ(explain(404, language::en).find("never sends"), std::string::npos);
}

TEST(explain, every_registered_code_has_an_explanation) {
  for (const auto& e : teapot::http::all_statuses())
    for (language lang : {language::en, language::fr})
      EXPECT_GE(explain(teapot::http::to_int(e.code), lang).size(), 100u);
}

TEST(explain, unknown_codes_give_an_empty_string) {
  for (int code : {0, 99, 299, 419, 600, -404}) {
    EXPECT_TRUE(explain(code, language::en).empty()) << code;
    EXPECT_TRUE(explain(code, language::fr).empty()) << code;
  }
}

}  // namespace
