#include "handlers/static_files/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace teapot::handlers::static_files {

int open_below(int dir_fd, const char* relative, bool beneath) noexcept {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  if (beneath) how.resolve |= RESOLVE_BENEATH;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir_fd, relative, &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  return static_cast<int>(fd);
}

}  // namespace teapot::handlers::static_files
