// The table-header check that keeps toml++ 3.3 from reading a header without a key (found by
// fuzz/config_fuzz.cpp): headers it must flag, and valid TOML with '[' in every place that is
// no header, which it must leave alone.
#include "config/table_headers.h"

#include <gtest/gtest.h>

#include <string_view>

namespace teapot::config::detail {
namespace {

using namespace std::string_view_literals;

struct flagged_case {
  std::string_view name;
  std::string_view text;
  std::size_t header_at;
  std::uint32_t line;
  std::uint32_t column;
};

const flagged_case flagged[] = {
    {"punctuation", "[&]\n"sv, 0, 1, 2},
    {"comma", "[, \"x\"]\n"sv, 0, 1, 2},
    {"third bracket", "[[[1]]]\n"sv, 0, 1, 3},
    {"after spaces", "a = 1\n  [  =\n"sv, 8, 2, 6},
    {"after an array of tables bracket and a tab", "[[\t{x}]]\n"sv, 0, 1, 4},
    {"nul", "[\0]\n"sv, 0, 1, 2},
    {"control character", "[\x01]\n"sv, 0, 1, 2},
    {"delete", "[\x7f]\n"sv, 0, 1, 2},
    {"non-ASCII", "[\xc3\xa9]\n"sv, 0, 1, 2},
    {"line end", "[\r\n"sv, 0, 1, 2},
    {"after a byte order mark", "\xEF\xBB\xBF[&]"sv, 3, 1, 5},
    {"after a multi-line string", "a = \"\"\"\n[x]\n\"\"\"\n[#]\n"sv, 16, 4, 2},
    {"after a multi-line array", "a = [\n  1,\n]\n[.]\n"sv, 13, 4, 2},
};

TEST(find_keyless_table_header, flags_a_header_whose_key_cannot_start) {
  for (const flagged_case& c : flagged) {
    const auto found = find_keyless_table_header(c.text);
    ASSERT_TRUE(found.has_value()) << c.name;
    EXPECT_EQ(found->header_at, c.header_at) << c.name;
    EXPECT_EQ(found->line, c.line) << c.name;
    EXPECT_EQ(found->column, c.column) << c.name;
  }
}

const std::string_view valid[] = {
    "[server]\n[[sites]]\n[ sites.auth ]\n[[ sites.rules ]]\n[\"quoted [key]\"]\n['lit']\n[-_]\n",
    "[]\n",  // toml++ reports the empty header itself
    "a = [\n  [1, 2],\n  [{ b = 1 }],\n  [\"[&\"],\n]\n",
    "a = { b = [ [ 1 ] ], c = \"]\" }\n[ok]\n",
    "body = \"\"\"\n[&\n  [, \\\"\"\" ]\n\"\"\"\n",
    "body = '''\n[&\n'''\n",
    "body = \"\"\"quote at the end\"\"\"\"\"\n[ok]\n",
    "body = '''two at the end'''''\n[ok]\n",
    "path = 'C:\\dir\\'\n[ok]\n",
    "# [& in a comment\n[ok] # [&\n",
    "\"a[\" = 1\n'b[' = 2\n",
    "a = [ # [&\n  1,\n]\n",
};

TEST(find_keyless_table_header, leaves_brackets_that_are_no_header_alone) {
  for (std::string_view text : valid)
    EXPECT_FALSE(find_keyless_table_header(text).has_value()) << text;
}

}  // namespace
}  // namespace teapot::config::detail
