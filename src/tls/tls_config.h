// What a TLS listener is made of, as plain values: the certificates (one per site or group of
// sites) and the choices that hold for the whole server. context_set turns them into OpenSSL
// contexts; nothing here touches OpenSSL, so that config/ can fill them without seeing it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace teapot::tls {

// One certificate and its key, as PEM files.
struct certificate_config {
  std::string chain_file;  // the leaf certificate first, then its intermediates
  std::string key_file;    // unencrypted: a server that restarts alone cannot type a passphrase
  // The host names this certificate is chosen for by SNI and that it covers for a request's
  // Host (421 otherwise). Empty: read from the certificate, its subjectAltName DNS names and
  // IP addresses, or its subject CN when it has no DNS name (RFC 6125 §6.4.4).
  std::vector<std::string> hosts;
  // A DER OCSP response (RFC 6960) for the leaf, stapled to handshakes that ask for it
  // (RFC 6066 §8); empty: none.
  std::string ocsp_response_file{};
  // TLS 1.3 early data for this certificate's names, when the set's config allows it at all
  // (tls_config::early_data): 0-RTT can be replayed, so each site opts in.
  bool early_data = true;
};

enum class tls_version : std::uint8_t { tls1_2, tls1_3 };

// Mozilla's "intermediate" configuration (Server Side TLS, version 5.7): clients from Firefox
// 27, Chrome 31, Android 4.4.2, Java 8u31, OpenSSL 1.0.1 on. Forward-secret AEAD suites only,
// which also keeps HTTP/2's TLS 1.2 requirements (RFC 9113 §9.2.2).
inline constexpr const char* intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* intermediate_tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr const char* intermediate_groups = "X25519:prime256v1:secp384r1";

// The choices that hold for every certificate of a listener.
struct tls_config {
  tls_version min_version = tls_version::tls1_2;
  std::string ciphers = intermediate_ciphers;            // TLS 1.2, OpenSSL cipher list
  std::string tls13_suites = intermediate_tls13_suites;  // TLS 1.3 (RFC 8446 §B.4)
  std::string groups = intermediate_groups;              // key exchange (RFC 8446 §4.2.7)
  // ALPN protocols in the server's order of preference (RFC 7301 §3.2): the first of these
  // that the client offers is chosen.
  std::vector<std::string> alpn{"h2", "http/1.1"};
  // How long a session may be resumed (RFC 8446 §4.6.1 caps tickets at 7 days). A ticket
  // also stops resuming once its key has left the ring (ticket_keys_kept).
  std::chrono::seconds session_lifetime{std::chrono::hours{24}};
  // Ticket keys held: the current one, which encrypts new tickets, and the previous ones,
  // which still decrypt. With keys rotated every T, a ticket resumes for at least
  // (kept - 1) * T. At least 1.
  std::size_t ticket_keys_kept = 2;
  // TLS 1.3 early data (0-RTT, RFC 8446 §2.3, §4.2.10): off, because it can be replayed.
  // On, a session accepts up to max_early_data bytes; the HTTP layer answers 425 (RFC 8470)
  // to what must not be replayed.
  bool early_data = false;
  std::uint32_t max_early_data = 16384;
};

}  // namespace teapot::tls
