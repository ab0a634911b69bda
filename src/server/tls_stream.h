// The socket side of one TLS connection: moves ciphertext between the socket and the
// connection's tls::session, and keeps what the socket did not take for its next EPOLLOUT.
// The connection reads plaintext through read() where a plain one calls ::read, and its output
// queue encrypts through write() and sends through send().
// Thread contract: belongs to one connection, on its loop thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tls/session.h"

namespace teapot::srv {

class tls_stream {
 public:
  explicit tls_stream(std::shared_ptr<const tls::context_set> set);

  enum class send_result : std::uint8_t { done, blocked, failed };

  // As ::read on the socket, for plaintext: > 0 bytes placed in buffer; 0 at the end of input
  // (close_notify or the socket's EOF); -1 with errno EAGAIN when the socket has nothing more,
  // or EPROTO when the handshake or a record failed (the alert is sent: close the connection).
  // Handshake messages the session answers with go out on the way. Nothing comes before the
  // handshake is done.
  ssize_t read(int socket, char* buffer, std::size_t size);
  // The bytes of the last read that returned some came as TLS 1.3 early data (0-RTT).
  bool last_read_early() const noexcept { return last_read_early_; }
  // Plaintext to encrypt: how many bytes the session took (0 while its window of ciphertext
  // is full: send() first).
  std::size_t write(std::string_view bytes) { return session_.write_plaintext(bytes); }
  // Writes the ciphertext waiting, as far as the socket takes it.
  send_result send(int socket);
  bool has_pending() const noexcept {
    return sent_ < pending_.size() || session_.pending_ciphertext() > 0;
  }
  // Queues close_notify (RFC 8446 §6.1) and sends what the socket takes of it at once; once.
  void close(int socket);

  const tls::session& session() const noexcept { return session_; }

 private:
  tls::session session_;
  std::string pending_;  // ciphertext taken from the session, from sent_ on not yet written
  std::size_t sent_ = 0;
  bool closed_ = false;
  bool last_read_early_ = false;
};

}  // namespace teapot::srv
