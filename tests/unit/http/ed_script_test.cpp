// The "diffe" scripts (RFC 3229 §10.4): each is applied by the real ed(1) to the old text,
// which must then be the new one byte for byte.
#include "http/ed_script.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using teapot::http::ed_script;
using teapot::http::ed_script_limits;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// What ed makes of old_text with script (and "w", "q" after it, as a client adds).
std::string applied_by_ed(const std::string& old_text, const std::string& script) {
  char dir[] = "/tmp/teapot-ed-XXXXXX";
  EXPECT_NE(::mkdtemp(dir), nullptr);
  const std::string file = std::string(dir) + "/text";
  const std::string commands = std::string(dir) + "/script";
  write_file(file, old_text);
  write_file(commands, script + "w\nq\n");
  const std::string run = "ed -s '" + file + "' < '" + commands + "' 2>&1";
  EXPECT_EQ(std::system(run.c_str()), 0) << script;
  std::string result = read_file(file);
  std::remove(file.c_str());
  std::remove(commands.c_str());
  ::rmdir(dir);
  return result;
}

void expect_ed_makes(const std::string& from, const std::string& to) {
  const auto script = ed_script(from, to, {});
  ASSERT_TRUE(script.has_value());
  EXPECT_EQ(applied_by_ed(from, *script), to) << "script:\n" << *script;
}

TEST(ed_script, writes_what_diff_e_writes_for_a_changed_line) {
  EXPECT_EQ(*ed_script("a\nb\nc\n", "a\nB\nc\n", {}), "2c\nB\n.\n");
}

TEST(ed_script, runs_from_the_last_hunk_up) {
  EXPECT_EQ(*ed_script("1\n2\n3\n4\n5\n", "0\n1\n3\n4\n5\n6\n", {}), "5a\n6\n.\n2d\n0a\n0\n.\n");
}

TEST(ed_script, is_empty_for_equal_texts) {
  EXPECT_EQ(*ed_script("same\n", "same\n", {}), "");
  EXPECT_EQ(*ed_script("", "", {}), "");
}

TEST(ed_script, refuses_what_ed_cannot_give_back_exactly) {
  EXPECT_FALSE(ed_script("no newline", "x\n", {}).has_value());
  EXPECT_FALSE(ed_script("x\n", "no newline", {}).has_value());
  EXPECT_FALSE(ed_script(std::string("a\0b\n", 4), "x\n", {}).has_value());
}

TEST(ed_script, stops_at_its_output_bound) {
  // "2c\nB\n.\n" is 7 bytes: shorter than 8, not shorter than 7.
  ed_script_limits l;
  l.max_output = 8;
  EXPECT_TRUE(ed_script("a\nb\nc\n", "a\nB\nc\n", l).has_value());
  l.max_output = 7;
  EXPECT_FALSE(ed_script("a\nb\nc\n", "a\nB\nc\n", l).has_value());
}

TEST(ed_script, stops_past_its_edit_bound) {
  // One line replaced: one deletion and one insertion.
  ed_script_limits l;
  l.max_edits = 2;
  EXPECT_TRUE(ed_script("a\nb\nc\n", "a\nB\nc\n", l).has_value());
  l.max_edits = 1;
  EXPECT_FALSE(ed_script("a\nb\nc\n", "a\nB\nc\n", l).has_value());
}

TEST(ed_script, ed_applies_the_edge_cases) {
  expect_ed_makes("", "a\nb\n");
  expect_ed_makes("a\nb\n", "");
  expect_ed_makes("a\n", "b\n");
  expect_ed_makes("a\nb\nc\n", "c\nb\na\n");
  // A lone "." inside, at the start and at the end of inserted text.
  expect_ed_makes("a\nz\n", "a\n.\nmiddle\n.\nz\n");
  expect_ed_makes("x\n", ".\n");
  expect_ed_makes("a\nb\n", "a\n.\n");
  expect_ed_makes("a\nb\n", "a\n..\n.\n");
  // Lines that look like ed commands are text in input mode.
  expect_ed_makes("a\n", "w\nq\n1d\n");
  expect_ed_makes("crlf\r\nline\r\n", "crlf\r\nchanged\r\n");
}

TEST(ed_script, ed_applies_random_edits) {
  std::mt19937 random(20261208);
  const std::vector<std::string> words{"a\n", "b\n", "c\n", ".\n", "\n", "long line\n", "..\n"};
  for (int round = 0; round < 150; ++round) {
    std::vector<std::string> lines;
    const int n = static_cast<int>(random() % 40);
    for (int i = 0; i < n; ++i)
      lines.push_back(words[random() % words.size()]);
    std::string from;
    for (const auto& l : lines)
      from += l;
    const int edits = static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = lines.empty() ? 0 : random() % (lines.size() + 1);
      switch (random() % 3) {
        case 0:
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at),
                       words[random() % words.size()]);
          break;
        case 1:
          if (at < lines.size()) lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          if (at < lines.size()) lines[at] = words[random() % words.size()];
      }
    }
    std::string to;
    for (const auto& l : lines)
      to += l;
    expect_ed_makes(from, to);
  }
}

}  // namespace
