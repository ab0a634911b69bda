// The TLS contexts of one listener: one per certificate, all sharing the server-wide choices,
// the ALPN preference and the ring of ticket keys. A connection's session starts on the first
// certificate's context; the client's SNI may move it to another's (RFC 6066 §3).
//
// Built once (at start-up or on reload) and then only read, by every worker at once: hold it
// in a shared_ptr, which each session keeps, so that a reload may replace the set while
// connections made on the old one finish on it. rotate_ticket_keys() may run on any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tls/certificate_context.h"
#include "tls/openssl_handles.h"
#include "tls/ticket_keys.h"
#include "tls/tls_config.h"

namespace teapot::tls {

class context_set {
 public:
  // certificates: at least one; the first is the default. ticket_keys: the ring to seal
  // tickets with, shared with a previous set so that a reload does not end every session;
  // null makes a new ring. Throws std::runtime_error naming the file and quoting OpenSSL for a
  // certificate or key that cannot be read or that do not match, and for a bad tls_config.
  //
  // An expired certificate (or one not valid yet) is loaded, and a sentence in warnings()
  // says so: one site's lapsed certificate must not keep the server, or a reload, from
  // serving the other sites; its clients refuse it and say why.
  context_set(const std::vector<certificate_config>& certificates, const tls_config& config,
              std::shared_ptr<ticket_key_ring> ticket_keys = nullptr);
  ~context_set();
  context_set(const context_set&) = delete;
  context_set& operator=(const context_set&) = delete;

  std::size_t size() const { return certificates_.size(); }
  const tls_config& config() const { return config_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The normalized names certificate i covers (given, or read from it).
  const std::vector<std::string>& names(std::size_t certificate) const;

  // RFC 6066 §3: the certificate for an SNI host name. A certificate that names it exactly
  // wins over one whose wildcard covers it, an earlier one over a later; no name, or a name
  // no certificate covers: the first certificate (the handshake goes on, without the
  // unrecognized_name alert RFC 6066 §3 leaves to the server).
  std::size_t select(std::string_view server_name) const;

  // Whether certificate i covers host (host_names.h): a request whose Host it does not cover
  // is misdirected on this connection (RFC 9110 §15.5.20, 421).
  bool covers(std::size_t certificate, std::string_view host) const;

  // The set's ticket keys, to hand to the next set on reload.
  const std::shared_ptr<ticket_key_ring>& ticket_keys() const { return ticket_keys_; }
  // A new key seals tickets from now on (see ticket_key_ring::rotate). Call it from a timer,
  // every session_lifetime for example.
  void rotate_ticket_keys() { ticket_keys_->rotate(); }

  // A server-side SSL on the default context, in accept state, without BIOs.
  ssl_ptr new_ssl() const;
  // The certificate a connection's handshake chose: the index of its current context.
  std::size_t certificate_of(const SSL* ssl) const;

 private:
  static int on_server_name(SSL* ssl, int* alert, void* arg);
  static int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* out_size,
                     const unsigned char* in, unsigned int in_size, void* arg);
  static int on_ticket_key(SSL* ssl, unsigned char* key_name, unsigned char* iv,
                           EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int sealing);
  void install_callbacks(SSL_CTX* ctx);

  tls_config config_;
  std::vector<certificate_context> certificates_;
  std::vector<std::string> warnings_;
  std::shared_ptr<ticket_key_ring> ticket_keys_;
};

}  // namespace teapot::tls
