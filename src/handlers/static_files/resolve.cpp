#include "handlers/static_files/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace teapot::handlers::static_files {

namespace {

// Set once openat2 has said ENOSYS (kernels before 5.6, or a tool such as valgrind that does
// not know the call): every later open takes the walk below.
std::atomic<bool> no_openat2{false};

// One component at a time with O_NOFOLLOW: no symbolic link is followed at all, so nothing can
// lead out of the root (a link gets ELOOP or ENOTDIR, answered 403 or 404). Stricter than
// RESOLVE_BENEATH, which follows links that stay inside.
int open_walking(int dir_fd, const char* relative) noexcept {
  thread_local std::string path;
  path.assign(relative);
  int current = dir_fd;
  char* segment = path.data();
  for (;;) {
    char* slash = std::strchr(segment, '/');
    if (slash) *slash = '\0';
    const bool last = slash == nullptr || slash[1] == '\0';
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
    if (!last) flags |= O_DIRECTORY;
    int next = ::openat(current, segment, flags);
    int err = errno;
    if (current != dir_fd) ::close(current);
    if (next < 0) {
      errno = err;
      return -1;
    }
    if (last) return next;
    current = next;
    segment = slash + 1;
  }
}

}  // namespace

int open_below(int dir_fd, const char* relative, bool beneath) noexcept {
  if (beneath && no_openat2.load(std::memory_order_relaxed)) return open_walking(dir_fd, relative);
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  if (beneath) how.resolve |= RESOLVE_BENEATH;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir_fd, relative, &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == ENOSYS) {
    no_openat2.store(true, std::memory_order_relaxed);
    if (beneath) return open_walking(dir_fd, relative);
    return ::openat(dir_fd, relative, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  }
  return static_cast<int>(fd);
}

}  // namespace teapot::handlers::static_files
