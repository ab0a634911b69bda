// Locks in the SQLite store: which locks reach a path (RFC 4918 §6.1: a lock covers its root,
// and with Depth infinity every member), which lie below one, and expiry judged by the
// caller's clock: an expired lock is never returned, and is deleted once met.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "handlers/webdav/store.h"
#include "store_fixture.h"

namespace teapot::handlers::webdav {
namespace {

using namespace std::chrono_literals;
using testing::tokens;
using sqlite_store_locks = testing::store_fixture;
using token_set = std::set<std::string>;

const lock_clock::time_point t0 = lock_clock::from_time_t(1'700'000'000);

lock_record lock_on(std::string token, std::string root, bool infinite,
                    lock_clock::time_point expires = t0 + 1h) {
  lock_record l;
  l.token = std::move(token);
  l.root = std::move(root);
  l.infinite = infinite;
  l.timeout = 3600s;
  l.expires = expires;
  return l;
}

// The same tree of locks for each case: depth 0 and infinity on the root and on "/a", and
// on names that share "/a"'s first bytes or hold LIKE's wildcards.
void add_tree(store& s) {
  for (const lock_record& l :
       {lock_on("root-0", "/", false), lock_on("root-inf", "/", true), lock_on("a-0", "/a", false),
        lock_on("a-inf", "/a", true), lock_on("ab-0", "/a/b", false),
        lock_on("a+b-inf", "/ab", true), lock_on("a%-inf", "/a%", true),
        lock_on("a_-0", "/a_", false), lock_on("abc-inf", "/a/b/c", true)})
    s.add_lock(l);
}

struct locks_case {
  const char* path;
  token_set expected;
};

const locks_case covering_cases[] = {
    {"/", {"root-0", "root-inf"}},
    {"/a", {"root-inf", "a-0", "a-inf"}},
    {"/a/b", {"root-inf", "a-inf", "ab-0"}},
    {"/a/b/c", {"root-inf", "a-inf", "abc-inf"}},
    {"/a/b/c/d/e", {"root-inf", "a-inf", "abc-inf"}},
    {"/a/x", {"root-inf", "a-inf"}},
    {"/ab", {"root-inf", "a+b-inf"}},
    {"/ab/c", {"root-inf", "a+b-inf"}},
    {"/a_", {"root-inf", "a_-0"}},
    {"/a_/x", {"root-inf"}},
    {"/a%/y", {"root-inf", "a%-inf"}},
    {"/aa", {"root-inf"}},
    {"/b", {"root-inf"}},
};

TEST_F(sqlite_store_locks, locks_covering_are_the_paths_own_and_infinite_ones_above) {
  auto s = open();
  add_tree(*s);
  for (const locks_case& c : covering_cases)
    EXPECT_EQ(tokens(s->locks_covering(c.path, t0)), c.expected) << c.path;
}

const locks_case below_cases[] = {
    {"/", {"a-0", "a-inf", "ab-0", "a+b-inf", "a%-inf", "a_-0", "abc-inf"}},
    {"/a", {"ab-0", "abc-inf"}},
    {"/a/b", {"abc-inf"}},
    {"/a/b/c", {}},
    {"/ab", {}},
    {"/a_", {}},
    {"/a%", {}},
    {"/b", {}},
};

TEST_F(sqlite_store_locks, locks_below_are_strictly_below_and_share_no_mere_prefix) {
  auto s = open();
  add_tree(*s);
  for (const locks_case& c : below_cases)
    EXPECT_EQ(tokens(s->locks_below(c.path, t0)), c.expected) << c.path;
}

TEST_F(sqlite_store_locks, a_lock_comes_back_as_it_was_added) {
  auto s = open();
  lock_record l = lock_on("urn:uuid:6f1b2c3d-0000-4000-8000-000000000001", "/caf\xc3\xa9", true,
                          t0 + 90s + 250ms);
  l.exclusive = false;
  l.owner_xml = "<D:owner xmlns:D=\"DAV:\"><D:href>mailto:someone@example.org</D:href></D:owner>";
  l.timeout = 90s;
  s->add_lock(l);
  for (const auto& found :
       {s->find_lock(l.token, t0), std::optional(s->locks_covering("/caf\xc3\xa9/x", t0).at(0)),
        std::optional(s->locks_below("/", t0).at(0))}) {
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->token, l.token);
    EXPECT_EQ(found->root, l.root);
    EXPECT_FALSE(found->exclusive);
    EXPECT_TRUE(found->infinite);
    EXPECT_EQ(found->owner_xml, l.owner_xml);
    EXPECT_EQ(found->timeout, 90s);
    EXPECT_EQ(found->expires, t0 + 90s + 250ms);
  }
  EXPECT_FALSE(s->find_lock("urn:uuid:other", t0).has_value());
}

TEST_F(sqlite_store_locks, a_token_is_added_once) {
  auto s = open();
  s->add_lock(lock_on("t", "/a", false));
  EXPECT_THROW(s->add_lock(lock_on("t", "/b", false)), std::runtime_error);
  EXPECT_EQ(s->find_lock("t", t0)->root, "/a");
}

// Each way of meeting a lock, at the moment it expires: it is not returned, and it is gone
// from the database even for a later question asked with an earlier clock.
TEST_F(sqlite_store_locks, an_expired_lock_is_never_returned_and_is_dropped_when_met) {
  struct meeting {
    const char* how;
    bool (*sees)(store&, lock_clock::time_point);
  };
  const meeting meetings[] = {
      {"find_lock", [](store& s, auto now) { return s.find_lock("t", now).has_value(); }},
      {"locks_covering", [](store& s, auto now) { return !s.locks_covering("/a/b", now).empty(); }},
      {"locks_below", [](store& s, auto now) { return !s.locks_below("/", now).empty(); }},
      {"refresh_lock", [](store& s, auto now) { return s.refresh_lock("t", 60s, now); }},
  };
  int n = 0;
  for (const meeting& m : meetings) {
    SCOPED_TRACE(m.how);
    const std::string file = "expiry-" + std::to_string(n++);
    auto s = open(file);
    s->add_lock(lock_on("t", "/a", true, t0 + 10s));
    EXPECT_TRUE(s->find_lock("t", t0 + 10s - 1ms).has_value());
    EXPECT_FALSE(m.sees(*s, t0 + 10s));
    EXPECT_EQ(raw(file, "SELECT count(*) FROM locks"), 0);
    EXPECT_FALSE(s->find_lock("t", t0).has_value());
  }
}

TEST_F(sqlite_store_locks, refresh_sets_a_new_timeout_and_expiry_on_a_live_lock_only) {
  auto s = open();
  s->add_lock(lock_on("t", "/a", false, t0 + 10s));
  EXPECT_TRUE(s->refresh_lock("t", 600s, t0 + 5s));
  std::optional<lock_record> l = s->find_lock("t", t0 + 5s);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->timeout, 600s);
  EXPECT_EQ(l->expires, t0 + 605s);
  EXPECT_TRUE(s->find_lock("t", t0 + 604s).has_value());
  EXPECT_FALSE(s->refresh_lock("t", 600s, t0 + 605s));
  EXPECT_FALSE(s->refresh_lock("unknown", 600s, t0));
}

TEST_F(sqlite_store_locks, remove_lock_says_whether_the_token_was_there) {
  auto s = open();
  add_tree(*s);
  EXPECT_TRUE(s->remove_lock("a-inf"));
  EXPECT_FALSE(s->remove_lock("a-inf"));
  EXPECT_FALSE(s->remove_lock("unknown"));
  EXPECT_EQ(tokens(s->locks_covering("/a/x", t0)), token_set{"root-inf"});
}

const locks_case remove_locks_cases[] = {
    {"/a", {"root-0", "root-inf", "a+b-inf", "a%-inf", "a_-0"}},
    {"/a/b", {"root-0", "root-inf", "a-0", "a-inf", "a+b-inf", "a%-inf", "a_-0"}},
    {"/a_", {"root-0", "root-inf", "a-0", "a-inf", "ab-0", "a+b-inf", "a%-inf", "abc-inf"}},
    {"/a%", {"root-0", "root-inf", "a-0", "a-inf", "ab-0", "a+b-inf", "a_-0", "abc-inf"}},
    {"/", {}},
};

TEST_F(sqlite_store_locks, remove_locks_drops_the_path_and_what_lies_below_it_only) {
  int n = 0;
  for (const locks_case& c : remove_locks_cases) {
    SCOPED_TRACE(c.path);
    auto s = open("remove-" + std::to_string(n++));
    add_tree(*s);
    s->remove_locks(c.path);
    token_set left = tokens(s->locks_below("/", t0));
    left.merge(tokens(s->locks_covering("/", t0)));
    EXPECT_EQ(left, c.expected);
  }
}

TEST_F(sqlite_store_locks, locks_outlive_the_store_that_took_them) {
  open()->add_lock(lock_on("t", "/a", true, t0 + 1h));
  auto s = open();
  EXPECT_EQ(tokens(s->locks_covering("/a/b", t0)), token_set{"t"});
  EXPECT_EQ(s->find_lock("t", t0)->expires, t0 + 1h);
}

TEST_F(sqlite_store_locks, threads_may_call_at_once) {
  auto s = open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&s, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string token = std::to_string(t) + "-" + std::to_string(i);
        s->add_lock(lock_on(token, "/t" + std::to_string(t), false));
        EXPECT_TRUE(s->refresh_lock(token, 60s, t0));
        static_cast<void>(s->locks_covering("/t" + std::to_string(t) + "/x", t0));
      }
    });
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(s->locks_below("/", t0).size(), 200u);
}

}  // namespace
}  // namespace teapot::handlers::webdav
