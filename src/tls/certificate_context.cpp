#include "tls/certificate_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "tls/certificate_names.h"
#include "tls/host_names.h"
#include "tls/ocsp_stapling.h"
#include "tls/openssl_error.h"

namespace teapot::tls {
namespace {

// Every context of a listener shares this, so that a session made under one certificate's
// context is known to the others (SSL_set_SSL_CTX keeps it when SNI switches contexts).
constexpr unsigned char session_id_context[] = "teapot";

// A key protected by a passphrase is refused rather than prompted for on the terminal, which
// is what OpenSSL does without a callback.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return -1;
}

void require(int ok, const std::string& what) {
  if (ok != 1) throw_openssl_error(what);
}

// RFC 8446 §4.6.1 (tickets), RFC 5077; the server-side cache only where early data needs it.
// early: this certificate's names take early data (the set allows it, and the certificate
// asks for it). The cache follows the set: sessions resume through the first context's.
void configure_sessions(SSL_CTX* ctx, const tls_config& config, bool early_data) {
  require(SSL_CTX_set_session_id_context(ctx, session_id_context, sizeof session_id_context - 1),
          "cannot set the session id context");
  SSL_CTX_set_timeout(ctx, static_cast<long>(config.session_lifetime.count()));
  // Stateless tickets carry the session: a cache would only cost memory and a lock shared by
  // the workers. OpenSSL's protection against replayed early data (single-use tickets, RFC
  // 8446 §8.1) lives in that cache, so early data turns it on; the tickets then name cached
  // sessions (the cache is the default context's, shared by the whole set).
  SSL_CTX_set_session_cache_mode(ctx,
                                 config.early_data ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
  const std::uint32_t early = early_data ? config.max_early_data : 0;
  require(SSL_CTX_set_max_early_data(ctx, early), "cannot set max_early_data");
  // What a server that refuses early data still reads and skips (RFC 8446 §4.2.10): as much
  // as an accepting one would take, so that a client's 0-RTT to a site without it is refused
  // gracefully, not with an alert.
  if (config.early_data)
    require(SSL_CTX_set_recv_max_early_data(ctx, config.max_early_data),
            "cannot set recv_max_early_data");
}

ssl_ctx_ptr make_context(const tls_config& config, bool early_data) {
  ssl_ctx_ptr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) throw_openssl_error("cannot make a TLS context");
  SSL_CTX* c = ctx.get();
  const int min = config.min_version == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
  require(SSL_CTX_set_min_proto_version(c, min), "cannot set the minimum TLS version");
  require(SSL_CTX_set_cipher_list(c, config.ciphers.c_str()),
          "TLS 1.2 cipher list '" + config.ciphers + "' is refused");
  require(SSL_CTX_set_ciphersuites(c, config.tls13_suites.c_str()),
          "TLS 1.3 cipher suites '" + config.tls13_suites + "' are refused");
  require(SSL_CTX_set1_groups_list(c, config.groups.c_str()),
          "key exchange groups '" + config.groups + "' are refused");
  // DHE suites use the RFC 7919 group as large as the certificate's key.
  require(static_cast<int>(SSL_CTX_set_dh_auto(c, 1)), "cannot set automatic DH parameters");
  // Client-initiated renegotiation (TLS 1.2) costs the server a handshake at the client's will.
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Partial writes: write_plaintext takes what fits. Release buffers: an idle keep-alive
  // connection holds no 34 KiB of record buffers.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_default_passwd_cb(c, no_passphrase);
  configure_sessions(c, config, early_data);
  return ctx;
}

pkey_ptr read_key(const std::string& file) {
  const bio_ptr in(BIO_new_file(file.c_str(), "r"));
  pkey_ptr key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key) throw_openssl_error("private key " + file + " cannot be read");
  return key;
}

void load_pair(SSL_CTX* ctx, const certificate_config& certificate) {
  const std::string& chain = certificate.chain_file;
  require(SSL_CTX_use_certificate_chain_file(ctx, chain.c_str()),
          "certificate chain " + chain + " cannot be read");
  const pkey_ptr key = read_key(certificate.key_file);
  if (X509_check_private_key(SSL_CTX_get0_certificate(ctx), key.get()) != 1)
    throw_openssl_error("private key " + certificate.key_file +
                        " does not match the certificate of " + chain);
  require(SSL_CTX_use_PrivateKey(ctx, key.get()),
          "private key " + certificate.key_file + " cannot be used");
  require(SSL_CTX_check_private_key(ctx),
          "private key " + certificate.key_file + " does not match the certificate of " + chain);
}

// RFC 6066 §8 from the operator's file; a stale response is kept unstapled, with a warning.
void attach_ocsp(certificate_context& out, const certificate_config& certificate) {
  auto staple = std::make_unique<const ocsp_staple>(
      load_ocsp_staple(out.context.get(), certificate.ocsp_response_file, certificate.chain_file));
  if (staple->warning) out.warnings.push_back(*staple->warning);
  staple_ocsp(out.context.get(), *staple);
  out.ocsp = std::move(staple);
}

}  // namespace

certificate_context load_certificate(const certificate_config& certificate,
                                     const tls_config& config) {
  ERR_clear_error();  // what the queue says next is about this certificate
  certificate_context out;
  out.context = make_context(config, config.early_data && certificate.early_data);
  out.chain_file = certificate.chain_file;
  load_pair(out.context.get(), certificate);
  X509* leaf = SSL_CTX_get0_certificate(out.context.get());
  if (certificate.hosts.empty()) {
    out.names = certificate_names(leaf);
  } else {
    for (const std::string& host : certificate.hosts)
      out.names.push_back(normalize_host(host));
  }
  if (auto problem = validity_problem(leaf, certificate.chain_file))
    out.warnings.push_back(*problem);
  if (!certificate.ocsp_response_file.empty()) attach_ocsp(out, certificate);
  if (out.names.empty())
    out.warnings.push_back("certificate " + certificate.chain_file +
                           " names no host; it is chosen only as the default");
  return out;
}

}  // namespace teapot::tls
