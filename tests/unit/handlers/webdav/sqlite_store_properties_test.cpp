// Dead properties in the SQLite store: PROPPATCH's instructions applied all or none, and the
// properties of a tree removed, copied and moved without touching names that only share a
// prefix ("/ab" is no member of "/a") or hold LIKE's wildcards ('%', '_').
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "handlers/webdav/store.h"
#include "store_fixture.h"

namespace teapot::handlers::webdav {
namespace {

using testing::props;
using testing::remove_prop;
using testing::set_prop;
using sqlite_store_properties = testing::store_fixture;
using prop_set = std::set<std::string>;

struct apply_case {
  const char* why;
  std::vector<proppatch_instruction> before;  // applied first, in a patch of its own
  std::vector<proppatch_instruction> patch;
  prop_set expected;
};

const apply_case apply_cases[] = {
    {"a set adds the property",
     {},
     {set_prop("urn:x", "color", "<color>red</color>")},
     {"{urn:x}color=<color>red</color>"}},
    {"a later set of the same name in one patch wins",
     {},
     {set_prop("urn:x", "n", "1"), set_prop("urn:x", "n", "2")},
     {"{urn:x}n=2"}},
    {"a set replaces the stored value",
     {set_prop("urn:x", "n", "1")},
     {set_prop("urn:x", "n", "2")},
     {"{urn:x}n=2"}},
    {"a set then a remove in one patch leaves nothing",
     {},
     {set_prop("urn:x", "n", "1"), remove_prop("urn:x", "n")},
     {}},
    {"a remove then a set in one patch leaves the set",
     {set_prop("urn:x", "n", "0")},
     {remove_prop("urn:x", "n"), set_prop("urn:x", "n", "1")},
     {"{urn:x}n=1"}},
    {"removing an absent property succeeds",
     {set_prop("urn:x", "a", "1")},
     {remove_prop("urn:x", "b")},
     {"{urn:x}a=1"}},
    {"names are namespace and local name together",
     {},
     {set_prop("urn:x", "n", "x"), set_prop("urn:y", "n", "y"), set_prop("", "n", "none")},
     {"{urn:x}n=x", "{urn:y}n=y", "{}n=none"}},
    {"a remove names one namespace only",
     {set_prop("urn:x", "n", "x"), set_prop("urn:y", "n", "y")},
     {remove_prop("urn:x", "n")},
     {"{urn:y}n=y"}},
    {"values keep every byte",
     {},
     {set_prop("urn:x", "v", "<v xmlns=\"urn:x\">caf\xc3\xa9 &amp; '%_'</v>")},
     {"{urn:x}v=<v xmlns=\"urn:x\">caf\xc3\xa9 &amp; '%_'</v>"}},
    {"an empty patch changes nothing", {set_prop("urn:x", "n", "1")}, {}, {"{urn:x}n=1"}},
};

TEST_F(sqlite_store_properties, apply_runs_the_instructions_in_order) {
  int n = 0;
  for (const apply_case& c : apply_cases) {
    SCOPED_TRACE(c.why);
    auto s = open("apply-" + std::to_string(n++));
    s->apply("/doc", c.before);
    s->apply("/doc", c.patch);
    EXPECT_EQ(props(*s, "/doc"), c.expected);
  }
}

TEST_F(sqlite_store_properties, properties_belong_to_their_path_alone) {
  auto s = open();
  s->apply("/a", std::vector{set_prop("urn:x", "n", "a")});
  for (const char* other : {"/", "/ab", "/a/b", "/A", "/a/", "/a%", "/a_"})
    EXPECT_EQ(props(*s, other), prop_set{}) << other;
  EXPECT_EQ(props(*s, "/a"), prop_set{"{urn:x}n=a"});
}

// A trigger planted in the database refuses one property as the store writes it: the
// instructions before it in the same patch must not stay.
TEST_F(sqlite_store_properties, apply_is_all_or_nothing_when_an_instruction_fails) {
  open()->apply("/doc",
                std::vector{set_prop("urn:x", "kept", "1"), set_prop("urn:x", "gone", "2")});
  raw("dav.sqlite3",
      "CREATE TRIGGER refuse BEFORE INSERT ON properties WHEN NEW.local = 'poison' "
      "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  auto s = open();
  const std::vector patch{set_prop("urn:x", "new", "3"), remove_prop("urn:x", "gone"),
                          set_prop("urn:x", "kept", "changed"), set_prop("urn:x", "poison", "4")};
  EXPECT_THROW(s->apply("/doc", patch), std::runtime_error);
  EXPECT_EQ(props(*s, "/doc"), (prop_set{"{urn:x}gone=2", "{urn:x}kept=1"}));
  // The transaction was closed: the next patch goes through.
  s->apply("/doc", std::vector{set_prop("urn:x", "new", "3")});
  EXPECT_EQ(props(*s, "/doc"), (prop_set{"{urn:x}gone=2", "{urn:x}kept=1", "{urn:x}new=3"}));
}

TEST_F(sqlite_store_properties, a_copy_is_all_or_nothing_too) {
  {
    auto s = open();
    s->apply("/a", std::vector{set_prop("urn:x", "n", "a")});
    s->apply("/a/b", std::vector{set_prop("urn:x", "n", "b")});
    s->apply("/x", std::vector{set_prop("urn:x", "n", "old")});
  }
  raw("dav.sqlite3",
      "CREATE TRIGGER refuse BEFORE INSERT ON properties WHEN NEW.path = '/x/b' "
      "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  auto s = open();
  EXPECT_THROW(s->copy_properties("/a", "/x", true), std::runtime_error);
  EXPECT_THROW(s->move_properties("/a", "/x"), std::runtime_error);
  EXPECT_EQ(props(*s, "/x"), prop_set{"{urn:x}n=old"});
  EXPECT_EQ(props(*s, "/a"), prop_set{"{urn:x}n=a"});
  EXPECT_EQ(props(*s, "/a/b"), prop_set{"{urn:x}n=b"});
}

// Every path the tree tests look at; each of the first ones holds one property whose value is
// its own path.
const std::vector<std::string> seeded = {
    "/",      "/a",           "/a/b",           "/a/b/c", "/ab", "/a%", "/a%/x",
    "/a_",    "/a_b",         "/a.b",           "/a-b",   "/a0", "/b",  "/x",
    "/x/old", "/caf\xc3\xa9", "/caf\xc3\xa9/x",
};
const std::vector<std::string> unseeded = {"/x/b", "/x/b/c", "/y",     "/y/x",
                                           "/y/c", "/b/b",   "/b/b/c", "/z"};

std::map<std::string, std::string> seed(store& s) {
  std::map<std::string, std::string> values;
  for (const std::string& p : seeded) {
    s.apply(p, std::vector{set_prop("urn:t", "p", p)});
    values[p] = p;
  }
  return values;
}

// The property of every path looked at: the value of its one property, or absent.
std::map<std::string, std::string> everything(store& s) {
  std::map<std::string, std::string> out;
  for (const auto* list : {&seeded, &unseeded})
    for (const std::string& p : *list) {
      std::vector<dead_property> found = s.properties(p);
      EXPECT_LE(found.size(), 1u) << p;
      if (!found.empty()) out[p] = found[0].value_xml;
    }
  return out;
}

struct remove_case {
  const char* path;
  std::vector<std::string> gone;
};

const remove_case remove_cases[] = {
    {"/a", {"/a", "/a/b", "/a/b/c"}},
    {"/a/b", {"/a/b", "/a/b/c"}},
    {"/a%", {"/a%", "/a%/x"}},
    {"/a_", {"/a_"}},
    {"/ab", {"/ab"}},
    {"/a0", {"/a0"}},
    {"/caf\xc3\xa9", {"/caf\xc3\xa9", "/caf\xc3\xa9/x"}},
    {"/nothing", {}},
    {"/", seeded},
};

TEST_F(sqlite_store_properties, remove_takes_the_path_and_what_lies_below_it_only) {
  int n = 0;
  for (const remove_case& c : remove_cases) {
    SCOPED_TRACE(c.path);
    auto s = open("remove-" + std::to_string(n++));
    std::map<std::string, std::string> expected = seed(*s);
    for (const std::string& p : c.gone)
      expected.erase(p);
    s->remove_properties(c.path);
    EXPECT_EQ(everything(*s), expected);
  }
}

struct transfer_case {
  const char* why;
  bool move;
  bool deep;
  const char* from;
  const char* to;
  // Paths whose property changes: to the value given, or gone (nullopt).
  std::vector<std::pair<std::string, std::optional<std::string>>> changes;
};

const transfer_case transfer_cases[] = {
    {"a shallow copy takes the path's own properties and replaces the destination's",
     false,
     false,
     "/a",
     "/x",
     {{"/x", "/a"}}},
    {"a deep copy takes the tree and replaces the destination's tree",
     false,
     true,
     "/a",
     "/x",
     {{"/x", "/a"}, {"/x/b", "/a/b"}, {"/x/b/c", "/a/b/c"}, {"/x/old", std::nullopt}}},
    {"a copy of '/a_' takes no sibling that LIKE would match",
     false,
     true,
     "/a_",
     "/y",
     {{"/y", "/a_"}}},
    {"a copy of '/a%' takes its members",
     false,
     true,
     "/a%",
     "/y",
     {{"/y", "/a%"}, {"/y/x", "/a%/x"}}},
    {"a copy of a member", false, true, "/a/b", "/y", {{"/y", "/a/b"}, {"/y/c", "/a/b/c"}}},
    {"a name that is not ASCII",
     false,
     true,
     "/caf\xc3\xa9",
     "/y",
     {{"/y", "/caf\xc3\xa9"}, {"/y/x", "/caf\xc3\xa9/x"}}},
    {"a shallow copy of the root", false, false, "/", "/y", {{"/y", "/"}}},
    {"a move takes the tree and leaves nothing behind",
     true,
     true,
     "/a",
     "/x",
     {{"/a", std::nullopt},
      {"/a/b", std::nullopt},
      {"/a/b/c", std::nullopt},
      {"/x", "/a"},
      {"/x/b", "/a/b"},
      {"/x/b/c", "/a/b/c"},
      {"/x/old", std::nullopt}}},
    {"a move of '/a_' leaves '/a_b' and '/ab'",
     true,
     true,
     "/a_",
     "/z",
     {{"/a_", std::nullopt}, {"/z", "/a_"}}},
    {"a move to a deeper place",
     true,
     true,
     "/a/b",
     "/b/b",
     {{"/a/b", std::nullopt}, {"/a/b/c", std::nullopt}, {"/b/b", "/a/b"}, {"/b/b/c", "/a/b/c"}}},
    {"a move of a path without properties still clears the destination",
     true,
     true,
     "/nothing",
     "/x",
     {{"/x", std::nullopt}, {"/x/old", std::nullopt}}},
};

TEST_F(sqlite_store_properties, copy_and_move_carry_the_tree_to_the_same_places_below) {
  int n = 0;
  for (const transfer_case& c : transfer_cases) {
    SCOPED_TRACE(c.why);
    auto s = open("transfer-" + std::to_string(n++));
    std::map<std::string, std::string> expected = seed(*s);
    for (const auto& [path, value] : c.changes)
      if (value)
        expected[path] = *value;
      else
        expected.erase(path);
    if (c.move)
      s->move_properties(c.from, c.to);
    else
      s->copy_properties(c.from, c.to, c.deep);
    EXPECT_EQ(everything(*s), expected);
  }
}

TEST_F(sqlite_store_properties, properties_outlive_the_store_that_wrote_them) {
  open()->apply("/doc", std::vector{set_prop("urn:x", "n", "1")});
  EXPECT_EQ(props(*open(), "/doc"), prop_set{"{urn:x}n=1"});
}

TEST_F(sqlite_store_properties, threads_may_call_at_once) {
  auto s = open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&s, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        s->apply(path, std::vector{set_prop("urn:x", "n", path)});
        s->copy_properties(path, path + "-copy", false);
      }
    });
  for (std::thread& t : threads)
    t.join();
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 50; ++i) {
      const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
      EXPECT_EQ(props(*s, path + "-copy"), prop_set{"{urn:x}n=" + path});
    }
}

}  // namespace
}  // namespace teapot::handlers::webdav
