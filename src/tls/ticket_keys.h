// The keys that seal session tickets (RFC 5077 §4's construction, which OpenSSL uses for TLS
// 1.2 and for TLS 1.3's tickets, RFC 8446 §4.6.1): a ring whose newest key seals new tickets
// while the older ones still open the tickets they sealed, until rotation pushes them out.
// A server that never rotated would let a stolen key open every recorded session it ever
// resumed; rotating bounds that window (forward secrecy of resumed sessions, RFC 8446 §E.1).
//
// Thread-safe: every worker's handshakes read the ring while a timer rotates it.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <deque>
#include <mutex>

namespace teapot::tls {

class ticket_key_ring {
 public:
  static constexpr std::size_t name_size = 16;  // OpenSSL's key_name, sent in the ticket

  // Makes the first key. kept: how many keys the ring holds, at least 1. Throws
  // std::runtime_error when the random generator fails.
  explicit ticket_key_ring(std::size_t kept);
  ~ticket_key_ring();
  ticket_key_ring(const ticket_key_ring&) = delete;
  ticket_key_ring& operator=(const ticket_key_ring&) = delete;

  // A new key seals from now on; the oldest one beyond `kept` is forgotten, and the tickets
  // it sealed no longer resume (a full handshake instead). Throws std::runtime_error when the
  // random generator fails, and then the ring is unchanged.
  void rotate();

  std::size_t size() const;

  // The two halves of SSL_CTX_set_tlsext_ticket_key_evp_cb's callback, with its return values.
  // Sealing: the current key's name, a fresh IV, AES-256-CBC and HMAC-SHA256 keyed; 1, or -1
  // on failure. Opening: 0 for an unknown key name (the ticket is ignored), 2 for a key that
  // is no longer current (resume, and send a ticket sealed with the current key), 1 for the
  // current key, -1 on failure.
  int seal(unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
           EVP_MAC_CTX* mac) const;
  int open(const unsigned char* key_name, const unsigned char* iv, EVP_CIPHER_CTX* cipher,
           EVP_MAC_CTX* mac) const;

 private:
  struct key {
    std::array<unsigned char, name_size> name{};
    std::array<unsigned char, 32> cipher_key{};  // AES-256
    std::array<unsigned char, 32> mac_key{};     // HMAC-SHA256
  };
  static key make_key();
  static void erase(key& k);

  mutable std::mutex mutex_;
  std::deque<key> keys_;  // front: the current key
  std::size_t kept_;
};

}  // namespace teapot::tls
