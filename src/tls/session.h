// One TLS connection, sans-IO: the caller moves ciphertext between the socket and the session,
// and plaintext between the session and the HTTP codec. Nothing here blocks or touches a
// socket; OpenSSL reads from and writes to memory BIOs.
//
// How a connection drives it (one thread at a time, the connection's):
//   socket readable:  feed_ciphertext(what was read); then read_plaintext() until it returns
//                     want_more, handing each piece to the codec; then take_ciphertext() and
//                     write that (handshake messages, alerts, tickets, key updates).
//   codec has output: write_plaintext(bytes) takes what it accepts (nothing before the
//                     handshake is done, and no more than ciphertext_window pending);
//                     take_ciphertext() and write that; keep the rest for later.
//   closing:          close_notify(), take_ciphertext(), write it, then close the socket.
// read_plaintext returning error or closed ends the connection (after writing what
// take_ciphertext gives: an alert tells the client why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tls/context_set.h"
#include "tls/openssl_handles.h"

namespace teapot::tls {

enum class read_status : std::uint8_t {
  data,       // size bytes were placed in the buffer
  want_more,  // nothing to read until more ciphertext is fed
  closed,     // the client sent close_notify (RFC 8446 §6.1): no more data will come
  error,      // the handshake or a record failed (error() says why): close the connection
};

struct read_result {
  read_status status = read_status::want_more;
  std::size_t size = 0;
  // The bytes arrived as TLS 1.3 early data (RFC 8446 §2.3, §4.2.10), before the handshake
  // finished: a replay may deliver them again. A request they carry may be answered 425
  // (RFC 8470 §5.2).
  bool early = false;
};

// RFC 8446 §4.2.10, as seen once the handshake is done.
enum class early_data_state : std::uint8_t {
  none,      // the client sent none
  accepted,  // read_plaintext delivered it, marked early
  rejected,  // skipped unread; the client sends it again after the handshake (RFC 8446 §4.2.10)
};

class session {
 public:
  // Pending ciphertext past which write_plaintext accepts nothing: a caller that writes a
  // large body in one call is taken a window at a time, so that memory stays bounded.
  static constexpr std::size_t ciphertext_window = 64 * 1024;

  // Throws std::runtime_error if OpenSSL cannot make the session (memory).
  explicit session(std::shared_ptr<const context_set> set);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Bytes read from the socket.
  void feed_ciphertext(std::string_view bytes);
  // Appends to out everything to be written to the socket, and keeps none of it.
  void take_ciphertext(std::string& out);
  std::size_t pending_ciphertext() const;

  // Advances the handshake and reads application data into buffer (not empty). When the set
  // allows early data, the first reads deliver it, marked early (SSL_read_early_data).
  read_result read_plaintext(std::span<char> buffer);
  // How many bytes of bytes were taken: 0 before the handshake is done (the bytes are the
  // caller's to offer again), while ciphertext_window bytes wait to be taken, or once the
  // session has failed.
  std::size_t write_plaintext(std::string_view bytes);
  // Queues a close_notify alert (RFC 8446 §6.1); false when the handshake is not done or the
  // session failed, where there is nothing to close politely.
  bool close_notify();

  bool handshake_done() const;
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }  // why it failed, OpenSSL's words
  // The protocol ALPN chose (RFC 7301 §3.2), or empty: HTTP/1.1.
  std::string_view alpn() const;
  // The host name the client sent by SNI (RFC 6066 §3), or empty. On a TLS 1.2 resumption,
  // the name of the session's first handshake (RFC 6066 §3).
  std::string_view server_name() const;
  // The certificate chosen (its index in the set), and whether it covers host (421 if not).
  std::size_t certificate() const;
  bool covers(std::string_view host) const;
  bool resumed() const;
  early_data_state early_data() const;
  std::string_view version() const;  // "TLSv1.3", "TLSv1.2"

 private:
  read_result fail(int ret);

  std::shared_ptr<const context_set> set_;
  ssl_ptr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_: ciphertext from the client
  BIO* out_ = nullptr;  // owned by ssl_: ciphertext to the client
  bool reading_early_ = false;
  std::string error_;
};

}  // namespace teapot::tls
