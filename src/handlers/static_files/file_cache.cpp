#include "handlers/static_files/file_cache.h"

#include "base/loop_turn.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace teapot::handlers::static_files {

namespace {

bool same_time(const timespec& a, const timespec& b) noexcept {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool is_unchanged(const file_cache::entry& e, const struct stat& st) noexcept {
  return S_ISREG(st.st_mode) && e.dev == st.st_dev && e.ino == st.st_ino && e.size == st.st_size &&
         same_time(e.mtime, st.st_mtim) && same_time(e.ctime, st.st_ctim);
}

}  // namespace

std::size_t file_cache::max_open_files() noexcept {
  static const std::size_t budget = [] {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 256UL;
    return std::clamp<std::size_t>(static_cast<std::size_t>(limit.rlim_cur) / 32, 8, 256);
  }();
  return budget;
}

open_file::~open_file() {
  if (fd >= 0) ::close(fd);
}

file_cache::entry_map::iterator file_cache::forget(entry_map::iterator it) {
  total_bytes_ -= it->second.bytes.size();
  if (it->second.file) --open_files_;
  return entries_.erase(it);
}

void file_cache::close_descriptors() {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->second.file ? forget(it) : std::next(it);
}

void file_cache::close_idle(std::int64_t now_ms) {
  if (open_files_ == 0 || now_ms < next_idle_sweep_ms_) return;
  next_idle_sweep_ms_ = now_ms + idle_close_ms / 2;
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->second.file && now_ms - it->second.used_ms >= idle_close_ms ? forget(it)
                                                                         : std::next(it);
}

const file_cache::entry* file_cache::find(int root_fd, const char* relative, std::string_view key,
                                          std::int64_t now_ms) {
  close_idle(now_ms);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  // Checked already in this turn of the loop: every request of the turn had arrived by then.
  const std::uint64_t turn = base::loop_turn;
  if (turn != 0 && it->second.checked_turn == turn) {
    it->second.used_ms = now_ms;
    return &it->second;
  }
  // The entry was resolved beneath the root when stored; a path that now leads elsewhere
  // (a swapped symlink, a file replaced by rename) names another inode and misses here.
  struct stat st {};
  if (::fstatat(root_fd, relative, &st, 0) != 0 || !is_unchanged(it->second, st)) {
    forget(it);
    return nullptr;
  }
  it->second.used_ms = now_ms;
  it->second.checked_turn = turn;
  return &it->second;
}

const file_cache::entry* file_cache::store(std::string_view key, int fd, const struct stat& st,
                                           std::int64_t now_ms, bool& fd_taken) {
  fd_taken = false;
  if (!S_ISREG(st.st_mode) || st.st_size < 0) return nullptr;
  entry e;
  e.dev = st.st_dev;
  e.ino = st.st_ino;
  e.size = st.st_size;
  e.mtime = st.st_mtim;
  e.ctime = st.st_ctim;
  e.used_ms = now_ms;
  e.checked_turn = base::loop_turn;
  const bool small = static_cast<std::size_t>(st.st_size) <= max_file_size;
  if (small) {
    e.bytes.resize(static_cast<std::size_t>(st.st_size));
    ssize_t n = ::pread(fd, e.bytes.data(), e.bytes.size(), 0);
    if (n != st.st_size) return nullptr;
    // A file written while it was read shows a new ctime: do not keep a torn copy.
    struct stat after {};
    if (::fstat(fd, &after) != 0 || !is_unchanged(e, after)) return nullptr;
    if (total_bytes_ + e.bytes.size() > max_total_bytes) {
      for (auto it = entries_.begin(); it != entries_.end();)
        it = it->second.bytes.empty() ? std::next(it) : forget(it);
    }
  } else {
    if (open_files_ >= max_open_files()) close_descriptors();
    e.file = std::make_shared<open_file>(fd);
    fd_taken = true;
  }
  if (auto old = entries_.find(key); old != entries_.end()) forget(old);
  if (entries_.size() >= max_entries) {
    entries_.clear();
    total_bytes_ = open_files_ = 0;
  }
  total_bytes_ += e.bytes.size();
  if (e.file) ++open_files_;
  return &entries_.emplace(std::string(key), std::move(e)).first->second;
}

}  // namespace teapot::handlers::static_files
