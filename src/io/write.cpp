#include "io/write.h"

#include <algorithm>
#include <cerrno>
#include <climits>

#include <sys/sendfile.h>

namespace teapot::io {

ssize_t write_vector(int fd, std::span<const iovec> buffers) noexcept {
  const auto count = static_cast<int>(std::min<std::size_t>(buffers.size(), IOV_MAX));
  for (;;) {
    const ssize_t n = ::writev(fd, buffers.data(), count);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

ssize_t send_file(int fd, int file_fd, off_t* offset, std::size_t count) noexcept {
  for (;;) {
    const ssize_t n = ::sendfile(fd, file_fd, offset, count);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

std::span<iovec> consume(std::span<iovec> buffers, std::size_t written) noexcept {
  std::size_t i = 0;
  while (i < buffers.size() && written >= buffers[i].iov_len) {
    written -= buffers[i].iov_len;
    ++i;
  }
  buffers = buffers.subspan(i);
  if (!buffers.empty() && written > 0) {
    buffers.front().iov_base = static_cast<char*>(buffers.front().iov_base) + written;
    buffers.front().iov_len -= written;
  }
  return buffers;
}

}  // namespace teapot::io
