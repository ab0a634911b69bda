#include "handlers/static_files/small_file_cache.h"

#include <fcntl.h>
#include <unistd.h>

namespace teapot::handlers::static_files {

namespace {

bool same_time(const timespec& a, const timespec& b) noexcept {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool is_unchanged(const small_file_cache::entry& e, const struct stat& st) noexcept {
  return S_ISREG(st.st_mode) && e.dev == st.st_dev && e.ino == st.st_ino && e.size == st.st_size &&
         same_time(e.mtime, st.st_mtim) && same_time(e.ctime, st.st_ctim);
}

}  // namespace

const small_file_cache::entry* small_file_cache::find(int root_fd, const char* relative,
                                                      std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  // The entry was resolved beneath the root when stored; a path that now leads elsewhere
  // (a swapped symlink) names another inode and misses here.
  struct stat st {};
  if (::fstatat(root_fd, relative, &st, 0) != 0 || !is_unchanged(it->second, st)) {
    total_bytes_ -= it->second.bytes.size();
    entries_.erase(it);
    return nullptr;
  }
  return &it->second;
}

small_file_cache::sibling_memo& small_file_cache::memo_for(std::string_view key) {
  auto it = memos_.find(key);
  if (it != memos_.end()) return it->second;
  if (memos_.size() >= 4096) memos_.clear();  // bounded; a miss only costs a lookup
  return memos_.emplace(std::string(key), sibling_memo{}).first->second;
}

const small_file_cache::entry* small_file_cache::store(std::string_view key, int fd,
                                                       const struct stat& st) {
  if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
      static_cast<std::size_t>(st.st_size) > max_file_size)
    return nullptr;
  entry e;
  e.dev = st.st_dev;
  e.ino = st.st_ino;
  e.size = st.st_size;
  e.mtime = st.st_mtim;
  e.ctime = st.st_ctim;
  e.bytes.resize(static_cast<std::size_t>(st.st_size));
  ssize_t n = ::pread(fd, e.bytes.data(), e.bytes.size(), 0);
  if (n != st.st_size) return nullptr;
  // A file written while it was read shows a new ctime: do not keep a torn copy.
  struct stat after {};
  if (::fstat(fd, &after) != 0 || !is_unchanged(e, after)) return nullptr;
  if (total_bytes_ + e.bytes.size() > max_total_bytes) {
    entries_.clear();
    total_bytes_ = 0;
  }
  total_bytes_ += e.bytes.size();
  auto [it, inserted] = entries_.insert_or_assign(std::string(key), std::move(e));
  (void)inserted;
  return &it->second;
}

}  // namespace teapot::handlers::static_files
