// The bytes of small files, kept per worker thread so that serving a small file costs one
// fstatat() instead of open, fstat, read and close. Every use checks that the path still names
// the same, unchanged file, so an edit is seen by the very next request.
// Thread contract: one cache per thread, never shared.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teapot::handlers::static_files {

class small_file_cache {
 public:
  static constexpr std::size_t max_file_size = 16 * 1024;
  static constexpr std::size_t max_total_bytes = 8 * 1024 * 1024;

  // The stat facts from which validators are derived; the content type and validators
  // themselves are not kept (one key may be served under several types).
  struct entry {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    timespec ctime{};  // changes with content, mode and owner: any of them invalidates
    std::string bytes;
    // Facts derived once per entry rather than per request (single thread: mutable is safe).
    mutable std::string etag;         // empty until first formatted
    mutable std::string etag_coding;  // the content-coding etag was made for
    // Which precompressed siblings exist, as last looked up, and when (monotonic ms; a new
    // sibling is noticed within sibling_memo_ms).
    mutable std::int64_t siblings_checked_ms = -1;
    mutable bool siblings[3] = {};
  };
  static constexpr std::int64_t sibling_memo_ms = 1000;

  // The same memo for files too large to be cached: their siblings are looked up at most once
  // per sibling_memo_ms too.
  struct sibling_memo {
    std::int64_t checked_ms = -1;
    bool present[3] = {};
  };
  sibling_memo& memo_for(std::string_view key);

  // The entry for key if the file at relative (beneath root_fd) is still the one cached.
  const entry* find(int root_fd, const char* relative, std::string_view key);
  // Caches the file open as fd, described by st; nullptr when it is too large or changed
  // while being read.
  const entry* store(std::string_view key, int fd, const struct stat& st);

 private:
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, entry, key_hash, std::equal_to<>> entries_;
  std::size_t total_bytes_ = 0;
  std::unordered_map<std::string, sibling_memo, key_hash, std::equal_to<>> memos_;
};

}  // namespace teapot::handlers::static_files
