// Type maps (Apache's .var files): records, source quality, languages, and the problems that
// leave a record out.
#include "http/type_map.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "http/negotiation.h"

namespace {

using teapot::http::parse_type_map;

TEST(type_map, reads_apaches_example_with_the_maps_own_record_left_out) {
  const auto m = parse_type_map(
      "URI: doc\n"
      "\n"
      "URI: doc.en.html\n"
      "Content-Type: text/html; qs=0.9\n"
      "Content-Language: en\n"
      "\n"
      "\n"
      "URI: doc.fr.html.gz\r\n"
      "content-type: text/html;charset=iso-8859-1\r\n"
      "Content-Language: fr, fr-CA\r\n"
      "Content-Encoding: GZIP\r\n"
      "Description: French,\r\n"
      "  compressed\r\n");
  EXPECT_TRUE(m.problems.empty()) << m.problems.front();
  ASSERT_EQ(m.variants.size(), 2u);
  EXPECT_EQ(m.variants[0].uri, "doc.en.html");
  EXPECT_EQ(m.variants[0].media_type, "text/html");
  EXPECT_EQ(m.variants[0].source_quality, 900);
  EXPECT_EQ(m.variants[0].languages, std::vector<std::string>{"en"});
  EXPECT_EQ(m.variants[1].uri, "doc.fr.html.gz");
  EXPECT_EQ(m.variants[1].media_type, "text/html; charset=iso-8859-1");
  EXPECT_EQ(m.variants[1].source_quality, 1000);
  EXPECT_EQ(m.variants[1].languages, (std::vector<std::string>{"fr", "fr-CA"}));
  EXPECT_EQ(m.variants[1].encoding, "gzip");
  EXPECT_EQ(m.variants[1].description, "French, compressed");
}

TEST(type_map, a_record_with_a_problem_is_left_out_and_the_rest_serves) {
  const auto m = parse_type_map(
      "URI: a.html\nContent-Type: text/html; qs=1.5\n\n"      // qs above 1
      "URI: /etc/passwd\nContent-Type: text/plain\n\n"        // absolute
      "URI: ../up.html\nContent-Type: text/html\n\n"          // escapes
      "Content-Type: text/html\n\n"                           // no URI
      "URI: b.html\nContent-Type: html\n\n"                   // not a media type
      "URI: c.html\nContent-Type: text/html\nBody:----x\n\n"  // inline content
      "garbage line\n\n"
      "URI: ok.html\nContent-Type: text/html\n");
  ASSERT_EQ(m.variants.size(), 1u);
  EXPECT_EQ(m.variants[0].uri, "ok.html");
  EXPECT_EQ(m.problems.size(), 7u);
  EXPECT_EQ(m.problems[0], "line 2: qs 'qs=1.5' is not a quality from 0 to 1");
}

TEST(type_map, uris_are_relative_paths_to_files_below_the_map) {
  for (const char* good : {"doc.html", "en/doc.html", "a-b_c.d.e", "x%20y.html"})
    EXPECT_TRUE(teapot::http::is_type_map_uri(good)) << good;
  for (const char* bad : {"", "/doc.html", "../doc.html", "a/../b", "./a", "a//b", "dir/",
                          "http://x/y", "a?b", "a#b", "a b", "a\\b"})
    EXPECT_FALSE(teapot::http::is_type_map_uri(bad)) << bad;
}

TEST(type_map, an_oversized_map_is_cut_and_said) {
  std::string text = "URI: a.html\nContent-Type: text/html\n\n";
  text.append(teapot::http::max_type_map_size, '\n');
  const auto m = parse_type_map(text);
  EXPECT_EQ(m.variants.size(), 1u);
  ASSERT_EQ(m.problems.size(), 1u);
}

// RFC 2295 §5.3: the source quality is a factor of the variant's weight.
TEST(type_map, source_quality_ranks_variants_the_client_weighs_alike) {
  const std::array<teapot::http::variant, 2> vs{
      {{"text/html", "", "", 500}, {"text/plain", "", "", 1000}}};
  auto r = teapot::http::choose_variant(vs, "text/html, text/plain", std::nullopt, std::nullopt);
  EXPECT_EQ(r.chosen, 1u);
  EXPECT_FALSE(r.tie);
  r = teapot::http::choose_variant(vs, "text/html, text/plain;q=0.4", std::nullopt, std::nullopt);
  EXPECT_EQ(r.chosen, 0u);  // 1 x 0.5 beats 0.4 x 1
}

}  // namespace
