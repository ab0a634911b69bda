#include "server/output_queue.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "io/write.h"
#include "server/tls_stream.h"

namespace teapot::srv {

namespace {

// A buffer that grew past this for one large response is given back when the queue empties.
constexpr std::size_t kept_capacity = 128 * 1024;

}  // namespace

void output_queue::file_part::release() noexcept {
  if (!keeper && fd >= 0) ::close(fd);
  fd = -1;
  keeper.reset();
}

void output_queue::append_file(int fd, std::uint64_t offset, std::uint64_t length,
                               std::shared_ptr<const void> keeper) {
  files_.push_back({out_.size(), fd, offset, length, std::move(keeper)});
}

output_queue::flush_result output_queue::flush(int socket) {
  while (sent_ < out_.size() || !files_.empty()) {
    if (!files_.empty() && files_.front().at == sent_) {
      file_part& f = files_.front();
      off_t off = static_cast<off_t>(f.offset);
      const long n = io::send_file(socket, f.fd, &off, f.left);
      if (n == -EAGAIN) return blocked();
      if (n <= 0) return flush_result::failed;  // a peer gone, or a file shorter than said
      f.offset = static_cast<std::uint64_t>(off);
      f.left -= static_cast<std::uint64_t>(n);
      if (f.left == 0) {
        f.release();
        files_.erase(files_.begin());
      }
      continue;
    }
    const std::size_t end = files_.empty() ? out_.size() : files_.front().at;
    // Bytes that a file part follows (a head before its body) wait for it, as TCP_CORK would
    // have them: one segment instead of a small one and then the data.
    const int more = files_.empty() ? 0 : MSG_MORE;
    const ssize_t n = ::send(socket, out_.data() + sent_, end - sent_, MSG_NOSIGNAL | more);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return blocked();
      return flush_result::failed;
    }
    sent_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  sent_ = 0;
  return flush_result::done;
}

output_queue::flush_result output_queue::flush(int socket, tls_stream& tls) {
  char chunk[16 * 1024];  // one TLS record of a file part
  for (;;) {
    switch (tls.send(socket)) {
      case tls_stream::send_result::blocked:
        return blocked();
      case tls_stream::send_result::failed:
        return flush_result::failed;
      case tls_stream::send_result::done:
        break;
    }
    if (empty()) break;
    // Encrypt until the session's window is full or nothing is left, then send it all.
    std::size_t taken = 0;
    while (!empty()) {
      std::size_t n = 0;
      if (!files_.empty() && files_.front().at == sent_) {
        file_part& f = files_.front();
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(f.left, sizeof chunk));
        const ssize_t got = ::pread(f.fd, chunk, want, static_cast<off_t>(f.offset));
        if (got <= 0) {
          if (got < 0 && errno == EINTR) continue;
          return flush_result::failed;  // a file shorter than said
        }
        n = tls.write({chunk, static_cast<std::size_t>(got)});
        f.offset += n;
        f.left -= n;
        if (f.left == 0) {
          f.release();
          files_.erase(files_.begin());
        }
      } else {
        const std::size_t end = files_.empty() ? out_.size() : files_.front().at;
        n = tls.write({out_.data() + sent_, end - sent_});
        sent_ += n;
      }
      if (n == 0) break;
      taken += n;
    }
    // Nothing taken and nothing to send: the session refuses. Before its handshake is done it
    // takes nothing yet (a response to a request that came as early data, RFC 8446 §2.3): the
    // output waits, as for a full socket, while the connection reads the client's Finished.
    // Otherwise it has failed.
    if (taken == 0 && !tls.has_pending())
      return tls.session().handshake_done() || tls.session().failed() ? flush_result::failed
                                                                      : blocked();
  }
  out_.clear();
  sent_ = 0;
  return flush_result::done;
}

// A client slower than its stream never lets the queue empty, and appending behind bytes
// already sent would grow the buffer by the whole stream: once the sent front is large, it
// goes. Only on a full socket, where a move of what waits is cheap beside the wait.
output_queue::flush_result output_queue::blocked() noexcept {
  if (sent_ >= compact_at) {
    out_.erase(0, sent_);
    for (file_part& f : files_)
      f.at -= sent_;
    sent_ = 0;
  }
  return flush_result::blocked;
}

bool output_queue::drain_into(std::string& into) {
  std::size_t from = sent_;
  for (file_part& f : files_) {
    into.append(out_, from, f.at - from);
    from = f.at;
    const std::size_t at = into.size();
    into.resize(at + f.left);
    const ssize_t n = ::pread(f.fd, into.data() + at, f.left, static_cast<off_t>(f.offset));
    if (n != static_cast<ssize_t>(f.left)) {
      // As on a socket, nothing after a broken part goes out.
      into.resize(at + static_cast<std::size_t>(n > 0 ? n : 0));
      clear();
      return false;
    }
  }
  into.append(out_, from);
  clear();
  return true;
}

void output_queue::clear() noexcept {
  for (auto& f : files_)
    f.release();
  files_.clear();
  out_.clear();
  sent_ = 0;
}

void output_queue::trim() noexcept {
  if (empty() && out_.capacity() > kept_capacity) std::string().swap(out_);
}

}  // namespace teapot::srv
