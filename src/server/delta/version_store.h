// The versions of a site's files that delta encoding (RFC 3229) can start from: each kept
// under its path and strong entity-tag, the bytes shared with the requests that use them.
// Bounded twice: a number of versions per path (the oldest of the path goes first) and a
// total size (the least recently kept of all go first).
// Thread contract: every member may be called from any thread (one mutex; the bytes are
// immutable once kept).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teapot::srv::delta {

class version_store {
 public:
  version_store(std::size_t versions_per_path, std::uint64_t max_bytes)
      : per_path_(versions_per_path), max_bytes_(max_bytes) {}

  // The bytes of path's version tagged opaque (the strong tag's text between its quotes), or
  // null when that version is not kept.
  std::shared_ptr<const std::string> find(std::string_view path, std::string_view opaque) const;
  bool contains(std::string_view path, std::string_view opaque) const;
  // Keeps bytes as path's version tagged opaque (nothing when it is kept already, or when the
  // bytes alone pass the total size), dropping what the bounds then require.
  void keep(std::string_view path, std::string_view opaque,
            std::shared_ptr<const std::string> bytes);

  std::uint64_t size() const;  // the bytes kept, for tests

 private:
  struct version {
    std::string path;
    std::string opaque;
    std::shared_ptr<const std::string> bytes;
  };
  using order = std::list<version>;  // the least recently kept first

  const version* lookup(std::string_view path, std::string_view opaque) const;
  void drop(order::iterator it);

  const std::size_t per_path_;
  const std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  order versions_;
  // path -> its versions in the order kept
  std::unordered_map<std::string, std::list<order::iterator>> by_path_;
  std::uint64_t bytes_ = 0;
};

}  // namespace teapot::srv::delta
