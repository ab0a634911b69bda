#include "server/tls_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <span>

namespace teapot::srv {

namespace {

// One read of ciphertext: a full TLS record and its header (RFC 8446 §5.2).
constexpr std::size_t read_chunk = 16 * 1024 + 256;

}  // namespace

tls_stream::tls_stream(std::shared_ptr<const tls::context_set> set) : session_(std::move(set)) {}

ssize_t tls_stream::read(int socket, char* buffer, std::size_t size) {
  char scratch[read_chunk];
  for (;;) {
    const tls::read_result r = session_.read_plaintext(std::span<char>(buffer, size));
    switch (r.status) {
      case tls::read_status::data:
        last_read_early_ = r.early;
        return static_cast<ssize_t>(r.size);
      case tls::read_status::closed:
        return 0;
      case tls::read_status::error:
        send(socket);  // the alert tells the client why
        errno = EPROTO;
        return -1;
      case tls::read_status::want_more:
        break;
    }
    // The handshake's answers (and tickets) go out before waiting for the client's next flight.
    if (send(socket) == send_result::failed) {
      errno = EPIPE;
      return -1;
    }
    const ssize_t n = ::read(socket, scratch, sizeof scratch);
    if (n > 0) {
      session_.feed_ciphertext({scratch, static_cast<std::size_t>(n)});
      continue;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    return -1;
  }
}

tls_stream::send_result tls_stream::send(int socket) {
  if (sent_ == pending_.size()) {
    pending_.clear();
    sent_ = 0;
  }
  session_.take_ciphertext(pending_);
  while (sent_ < pending_.size()) {
    const ssize_t n =
        ::send(socket, pending_.data() + sent_, pending_.size() - sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return send_result::blocked;
      return send_result::failed;
    }
    sent_ += static_cast<std::size_t>(n);
  }
  pending_.clear();
  sent_ = 0;
  return send_result::done;
}

void tls_stream::close(int socket) {
  if (closed_) return;
  closed_ = true;
  if (session_.close_notify()) send(socket);
}

}  // namespace teapot::srv
