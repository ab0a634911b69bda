// Compressed bodies kept for the next request of the same representation, so that a file is
// compressed once per version and coding rather than once per request.
// Thread contract: one cache per worker thread (see for_this_thread), never shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teapot::srv::compression {

class body_cache {
 public:
  static constexpr std::size_t default_max_bytes = 8 * 1024 * 1024;

  explicit body_cache(std::size_t max_bytes = default_max_bytes) : max_bytes_(max_bytes) {}

  // key must name the identity content exactly: built from a strong entity-tag (unique among
  // a resource's representations over time, RFC 9110 §8.8.3) with the site, path, coding and
  // level. identity_length guards against a handler that reuses a tag for changed content.
  const std::string* find(std::string_view key, std::uint64_t identity_length);
  // Keeps body (least recently used entries make room); bodies above a quarter of the
  // cache's size are not kept, so that one large file does not flush all the others.
  void store(std::string_view key, std::uint64_t identity_length, std::string body);

  std::size_t bytes() const noexcept { return bytes_; }
  // For the metrics: what the server's lookups found (a lookup that only decides where the
  // coding runs is not one).
  void count_lookup(bool hit) noexcept { ++(hit ? hits_ : misses_); }
  std::uint64_t hits() const noexcept { return hits_; }
  std::uint64_t misses() const noexcept { return misses_; }
  std::size_t size() const noexcept { return entries_.size(); }

  // The cache of the calling thread.
  static body_cache& for_this_thread();

 private:
  struct entry {
    std::string key;
    std::uint64_t identity_length = 0;
    std::string body;
  };
  using entry_list = std::list<entry>;  // most recently used first

  void evict_until(std::size_t room);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  entry_list entries_;
  std::unordered_map<std::string_view, entry_list::iterator> index_;  // views entry::key
};

}  // namespace teapot::srv::compression
