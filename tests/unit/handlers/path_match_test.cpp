#include "teapot/handlers/path_match.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace teapot::handlers {
namespace {

struct match_case {
  match_kind kind;
  std::string pattern;
  std::string path;
  bool matches;
  std::vector<std::string> captures;  // $1, $2, ... when it matches
};

std::string describe(const match_case& c) {
  static const char* kinds[] = {"exact", "prefix", "glob"};
  return std::string(kinds[static_cast<int>(c.kind)]) + " '" + c.pattern + "' on '" + c.path + "'";
}

TEST(PathMatch, SelectsPathsAndCapturesAsTheTableSays) {
  using enum match_kind;
  const std::vector<match_case> cases{
      // exact: equality, case-sensitive, no capture
      {exact, "/about", "/about", true, {}},
      {exact, "/about", "/about/", false, {}},
      {exact, "/about", "/About", false, {}},
      {exact, "/about", "/abou", false, {}},
      // prefix: a string prefix; $1 is the rest
      {prefix, "/old/", "/old/a/b.html", true, {"a/b.html"}},
      {prefix, "/old/", "/old/", true, {""}},
      {prefix, "/old/", "/old", false, {}},
      {prefix, "/doc", "/docs/x", true, {"s/x"}},
      {prefix, "/", "/anything", true, {"anything"}},
      // glob: '*' stops at '/'
      {glob, "/img/*.png", "/img/cat.png", true, {"cat"}},
      {glob, "/img/*.png", "/img/a/cat.png", false, {}},
      {glob, "/img/*.png", "/img/.png", true, {""}},
      {glob, "/img/*.png", "/img/cat.jpg", false, {}},
      // '**' crosses '/'
      {glob, "/img/**.png", "/img/a/b/cat.png", true, {"a/b/cat"}},
      {glob, "/img/**", "/img/", true, {""}},
      {glob, "/**/*.css", "/a/b/site.css", true, {"a/b", "site"}},
      {glob, "/**/*.css", "/site.css", false, {}},
      // '?' is one character but '/'
      {glob, "/v?/x", "/v1/x", true, {}},
      {glob, "/v?/x", "/v12/x", false, {}},
      {glob, "/v?/x", "/v//x", false, {}},
      {glob, "/v?/x", "/v/x", false, {}},
      // several stars: an earlier star takes the longest run it can
      {glob, "/*-*", "/a-b-c", true, {"a-b", "c"}},
      {glob, "/u/*/p/*", "/u/ann/p/42", true, {"ann", "42"}},
      {glob, "/u/*/p/*", "/u/ann/p/42/x", false, {}},
      {glob, "/**/**", "/a/b", true, {"a", "b"}},
      {glob, "/*", "/", true, {""}},
      // no wildcard at all: equality
      {glob, "/plain", "/plain", true, {}},
      {glob, "/plain", "/plainer", false, {}},
      // a literal shared by head and tail must not be counted once
      {glob, "/a*a", "/a", false, {}},
      {glob, "/a*a", "/aa", true, {""}},
      {glob, "/a*a", "/aba", true, {"b"}},
      // three stars in a row are '**'
      {glob, "/x/***", "/x/y/z", true, {"y/z"}},
  };
  for (const match_case& c : cases) {
    SCOPED_TRACE(describe(c));
    path_matcher m({c.kind, c.pattern});
    path_captures caps;
    ASSERT_EQ(m.matches(c.path, &caps), c.matches);
    EXPECT_EQ(m.matches(c.path), c.matches);  // the same answer without captures
    if (!c.matches) {
      EXPECT_EQ(caps.count, 0u);
      continue;
    }
    ASSERT_EQ(caps.count, c.captures.size());
    for (std::size_t i = 0; i < c.captures.size(); ++i)
      EXPECT_EQ(caps.get(i + 1), c.captures[i]);
  }
}

TEST(PathMatch, CountsCapturesPerKind) {
  EXPECT_EQ(path_matcher({match_kind::exact, "/a"}).capture_count(), 0u);
  EXPECT_EQ(path_matcher({match_kind::prefix, "/a"}).capture_count(), 1u);
  EXPECT_EQ(path_matcher({match_kind::glob, "/a/?"}).capture_count(), 0u);
  EXPECT_EQ(path_matcher({match_kind::glob, "/*/**/x*"}).capture_count(), 3u);
}

// The configuration checks a redirect's $n against this count before any matcher is built,
// and the file may hold a pattern the matcher refuses.
TEST(PathMatch, CountsCapturesWithoutAMatcher) {
  const struct {
    path_match match;
    std::size_t captures;
  } cases[] = {
      {{match_kind::exact, "/a/*"}, 0},
      {{match_kind::prefix, "/a/"}, 1},
      {{match_kind::prefix, ""}, 1},
      {{match_kind::glob, ""}, 0},
      {{match_kind::glob, "/a/?"}, 0},
      {{match_kind::glob, "/*/**/x*"}, 3},
      {{match_kind::glob, "***"}, 1},
      {{match_kind::glob, "/*.*"}, 2},
      {{match_kind::glob, "/*/*/*/*/*/*/*/*/*/*"}, 10},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(capture_count(c.match), c.captures) << c.match.pattern;
    if (!c.match.pattern.empty()) {
      EXPECT_EQ(path_matcher(c.match).capture_count(), c.captures) << c.match.pattern;
    }
  }
}

TEST(PathMatch, KeepsNineCapturesOfALongerGlob) {
  path_matcher m({match_kind::glob, "/*/*/*/*/*/*/*/*/*/*"});
  path_captures caps;
  ASSERT_TRUE(m.matches("/1/2/3/4/5/6/7/8/9/10", &caps));
  EXPECT_EQ(caps.count, 9u);
  EXPECT_EQ(caps.get(9), "9");
  EXPECT_EQ(caps.get(10), "");
  EXPECT_EQ(caps.get(0), "");
}

TEST(PathMatch, RefusesAnEmptyPattern) {
  EXPECT_THROW(path_matcher({match_kind::prefix, ""}), std::invalid_argument);
}

TEST(PathMatch, StaysValidWhenCopied) {
  // Short patterns live inside the string object: a copy must not point into the original.
  std::vector<path_matcher> all;
  for (int i = 0; i < 20; ++i)
    all.emplace_back(path_match{match_kind::glob, "/a*b"});
  path_captures caps;
  for (const path_matcher& m : all) {
    ASSERT_TRUE(m.matches("/axxb", &caps));
    EXPECT_EQ(caps.get(1), "xx");
  }
}

TEST(PathMatch, AHostilePathAgainstManyStarsIsRefusedQuickly) {
  // Backtracking would take exponential time here; the table takes pattern x path steps.
  path_matcher m({match_kind::glob, "/**a**a**a**a**a**a**a**a**b"});
  const std::string path = "/" + std::string(4000, 'a');
  EXPECT_FALSE(m.matches(path));
  EXPECT_TRUE(m.matches(path + "b"));
}

TEST(ExpandCaptures, SubstitutesDollarDigitsAndEncodesWhatAPathCannotHold) {
  path_captures caps;
  caps.values[0] = "a/b c";
  caps.values[1] = "x?y#z%";
  caps.count = 2;
  EXPECT_EQ(expand_captures("/new/$1", caps), "/new/a/b%20c");
  EXPECT_EQ(expand_captures("/$2/$1/$2", caps), "/x%3Fy%23z%25/a/b%20c/x%3Fy%23z%25");
  EXPECT_EQ(expand_captures("/cost/$", caps), "/cost/$");
  EXPECT_EQ(expand_captures("/$x/$0", caps), "/$x/$0");
  EXPECT_EQ(expand_captures("/$3", caps), "/");  // a capture the match does not have
  caps.values[0] = "line\r\nInjected: yes";
  EXPECT_EQ(expand_captures("/$1", caps), "/line%0D%0AInjected:%20yes");
  caps.values[0] = "caf\xc3\xa9";
  EXPECT_EQ(expand_captures("/$1", caps), "/caf%C3%A9");
}

}  // namespace
}  // namespace teapot::handlers
