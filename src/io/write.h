// Thin system-call wrappers for the write path. Each returns the bytes written (possibly fewer
// than asked) or -errno (-EAGAIN when the socket buffer is full), and retries EINTR itself.
// They never raise SIGPIPE's default action as long as block_shutdown_signals() (signals.h)
// ignored it: a peer that went away gives -EPIPE.
#pragma once

#include <cstddef>
#include <span>

#include <sys/types.h>
#include <sys/uio.h>

namespace teapot::io {

// One writev() of the buffers, at most IOV_MAX of them (the caller writes the rest next time).
ssize_t write_vector(int fd, std::span<const iovec> buffers) noexcept;

// One sendfile() of count bytes of file_fd from *offset, which advances by the bytes sent.
ssize_t send_file(int fd, int file_fd, off_t* offset, std::size_t count) noexcept;

// Drops the first `written` bytes from buffers, as after a short write_vector(): returns the
// buffers still to write, the first one adjusted in place.
std::span<iovec> consume(std::span<iovec> buffers, std::size_t written) noexcept;

}  // namespace teapot::io
