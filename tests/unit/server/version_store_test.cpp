// The versions delta encoding starts from: found by path and tag, bounded per path and in all.
#include "server/delta/version_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using teapot::srv::delta::version_store;

std::shared_ptr<const std::string> bytes(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(version_store, finds_a_version_by_path_and_tag) {
  version_store store(4, 1024);
  store.keep("/a", "t1", bytes("one\n"));
  store.keep("/b", "t1", bytes("other\n"));
  ASSERT_NE(store.find("/a", "t1"), nullptr);
  EXPECT_EQ(*store.find("/a", "t1"), "one\n");
  EXPECT_EQ(*store.find("/b", "t1"), "other\n");
  EXPECT_EQ(store.find("/a", "t2"), nullptr);
  EXPECT_TRUE(store.contains("/a", "t1"));
  EXPECT_EQ(store.size(), 10u);
}

TEST(version_store, a_version_kept_again_is_not_counted_twice) {
  version_store store(4, 1024);
  store.keep("/a", "t1", bytes("one\n"));
  store.keep("/a", "t1", bytes("one\n"));
  EXPECT_EQ(store.size(), 4u);
}

TEST(version_store, the_oldest_version_of_a_path_goes_past_its_count) {
  version_store store(2, 1024);
  store.keep("/a", "t1", bytes("1\n"));
  store.keep("/b", "t1", bytes("b\n"));
  store.keep("/a", "t2", bytes("2\n"));
  store.keep("/a", "t3", bytes("3\n"));
  EXPECT_FALSE(store.contains("/a", "t1"));
  EXPECT_TRUE(store.contains("/a", "t2"));
  EXPECT_TRUE(store.contains("/a", "t3"));
  EXPECT_TRUE(store.contains("/b", "t1"));  // another path's count
}

TEST(version_store, the_least_recently_kept_go_past_the_total_size_at_the_limit_and_past_it) {
  version_store store(8, 8);
  store.keep("/a", "t1", bytes("1234"));
  store.keep("/b", "t1", bytes("5678"));  // 8 bytes: at the limit, both kept
  EXPECT_TRUE(store.contains("/a", "t1"));
  EXPECT_EQ(store.size(), 8u);
  store.keep("/c", "t1", bytes("9"));  // one byte past: the first kept goes
  EXPECT_FALSE(store.contains("/a", "t1"));
  EXPECT_TRUE(store.contains("/b", "t1"));
  EXPECT_TRUE(store.contains("/c", "t1"));
  EXPECT_EQ(store.size(), 5u);
}

TEST(version_store, bytes_larger_than_the_whole_store_are_not_kept) {
  version_store store(8, 4);
  store.keep("/a", "t1", bytes("12345"));
  EXPECT_FALSE(store.contains("/a", "t1"));
  EXPECT_EQ(store.size(), 0u);
}

TEST(version_store, bytes_found_outlive_their_eviction) {
  version_store store(2, 1024);
  store.keep("/a", "t1", bytes("kept\n"));
  const auto held = store.find("/a", "t1");
  store.keep("/a", "t2", bytes("2\n"));
  store.keep("/a", "t3", bytes("3\n"));
  EXPECT_FALSE(store.contains("/a", "t1"));
  EXPECT_EQ(*held, "kept\n");
}

}  // namespace
