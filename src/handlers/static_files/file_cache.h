// What a worker thread keeps of the files it serves, so that serving a file costs at most one
// fstatat() instead of open, fstat, (read) and close: the bytes of small files, and an open
// descriptor of larger ones (sent with sendfile). The path is checked to still name the same,
// unchanged file once per turn of the worker's event loop (base/loop_turn.h), so an edit or a
// replaced file is seen by the next request that arrives after it.
// Thread contract: one cache per thread, never shared.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teapot::handlers::static_files {

// A descriptor that closes itself when the last response sending from it lets go.
struct open_file {
  int fd = -1;
  explicit open_file(int f) noexcept : fd(f) {}
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;
  ~open_file();
};

class file_cache {
 public:
  static constexpr std::size_t max_file_size = 16 * 1024;  // larger: a descriptor, not bytes
  static constexpr std::size_t max_total_bytes = 8 * 1024 * 1024;
  // Descriptors kept per thread and handler: a thirty-second of the process's soft
  // RLIMIT_NOFILE, at least 8 and at most 256, so that connections keep most of the table.
  static std::size_t max_open_files() noexcept;
  // A descriptor unused this long is closed at the next lookup, so that a deleted file's
  // space is not held for long by a cache that no request reaches.
  static constexpr std::int64_t idle_close_ms = 10'000;
  static constexpr std::int64_t sibling_memo_ms = 1000;
  static constexpr std::size_t max_entries = 64 * 1024;  // empty files cost no bytes

  // The stat facts from which validators are derived; the content type and validators
  // themselves are not kept (one key may be served under several types).
  struct entry {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    timespec ctime{};   // changes with content, mode and owner: any of them invalidates
    std::string bytes;  // a small file's content
    std::shared_ptr<open_file> file;  // or a larger file's descriptor
    // Facts derived once per entry rather than per request (single thread: mutable is safe).
    mutable std::string etag;         // empty until first formatted
    mutable std::string etag_coding;  // the content-coding etag was made for
    // Which precompressed siblings exist, as last looked up, and when (monotonic ms; a new
    // sibling is noticed within sibling_memo_ms).
    mutable std::int64_t siblings_checked_ms = -1;
    mutable bool siblings[3] = {};
    mutable std::int64_t used_ms = 0;
    mutable std::uint64_t checked_turn = 0;  // base::loop_turn of the last check against the path
  };

  // The entry for key if the file at relative (beneath root_fd) is still the one cached.
  // now_ms is a monotonic clock in milliseconds.
  const entry* find(int root_fd, const char* relative, std::string_view key, std::int64_t now_ms);
  // Caches the regular file open as fd, described by st. A small file is read (fd stays the
  // caller's); a larger one keeps fd, which the cache then owns (fd_taken says so). nullptr
  // when the file changed while it was read, or is not regular.
  const entry* store(std::string_view key, int fd, const struct stat& st, std::int64_t now_ms,
                     bool& fd_taken);
  // Closes every descriptor the cache keeps (responses still sending keep theirs open).
  void close_descriptors();

 private:
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using entry_map = std::unordered_map<std::string, entry, key_hash, std::equal_to<>>;

  void close_idle(std::int64_t now_ms);
  entry_map::iterator forget(entry_map::iterator it);

  entry_map entries_;
  std::size_t total_bytes_ = 0;
  std::size_t open_files_ = 0;
  std::int64_t next_idle_sweep_ms_ = 0;
};

}  // namespace teapot::handlers::static_files
