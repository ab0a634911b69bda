// TLS as the embedder describes it: certificates as PEM files, and the addresses that speak
// TLS (server_options::tls_listen). Plain values: the server turns them into OpenSSL contexts
// at start().
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace teapot {

// One certificate and its key. The client's SNI chooses among a server's certificates
// (RFC 6066 §3); the first one added is chosen when no name matches. A request on a TLS
// connection whose Host the chosen certificate does not cover gets 421 (RFC 9110 §15.5.20).
struct tls_certificate {
  std::filesystem::path chain;  // PEM: the leaf certificate first, then its intermediates
  std::filesystem::path key;    // PEM, unencrypted
  // The host names it is chosen for and covers; empty: read from the certificate (its
  // subjectAltName, or its subject CN without one).
  std::vector<std::string> names{};
  // A DER OCSP response for the certificate (RFC 6960), as `openssl ocsp -respout` writes it,
  // stapled to the handshakes that ask for the certificate's status (RFC 6066 §8); empty: none.
  // The server never fetches one: it reads this file at start() and at every
  // replace_certificates(), and refuses one that is not a successful response about this
  // certificate (the chain must hold its issuer second) signed by its issuer or a responder the
  // issuer delegated to. One whose nextUpdate has passed is not stapled, and the error log
  // says so; one stops being stapled when its nextUpdate passes while the server runs. A
  // revoked or unknown status is stapled, with a warning.
  std::filesystem::path ocsp_response{};
  // TLS 1.3 early data (0-RTT, RFC 8446 §2.3) for the names of this certificate: off, since
  // it can be replayed. On, a resumed client may send its first request before the handshake
  // ends; a request received so that its route does not mark safe gets 425 (RFC 8470 §5.2).
  bool early_data = false;
};

// Why c cannot serve (its files do not load, the key does not match the certificate, or the
// OCSP response is refused, quoting OpenSSL), or empty when it can: what server::start() would
// throw, told ahead.
std::string check_certificate(const tls_certificate& c);

}  // namespace teapot
