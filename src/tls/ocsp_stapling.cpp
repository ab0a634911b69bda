#include "tls/ocsp_stapling.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>
#include <stdexcept>

namespace teapot::tls {
namespace {

// The certificate after the leaf in chain_file, checked to be the leaf's issuer: OCSP names a
// certificate by its issuer's name and key (RFC 6960 §4.1.1).
X509* issuer_of(SSL_CTX* ctx, const std::string& file, const std::string& chain_file) {
  const std::string cannot =
      "OCSP response " + file + " cannot be checked: certificate chain " + chain_file;
  STACK_OF(X509)* chain = nullptr;
  if (SSL_CTX_get0_chain_certs(ctx, &chain) != 1 || chain == nullptr || sk_X509_num(chain) == 0)
    throw std::runtime_error(cannot +
                             " holds no certificate after its leaf; put the certificate that "
                             "issued the leaf second, as OCSP names a certificate by its issuer");
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  X509* issuer = sk_X509_value(chain, 0);
  const int issued = X509_check_issued(issuer, leaf);
  if (issued != X509_V_OK)
    throw std::runtime_error(cannot + ": its second certificate did not issue the first (" +
                             X509_verify_cert_error_string(issued) + ")");
  return issuer;
}

// RFC 6066 §8: called for a ClientHello with status_request; SSL_TLSEXT_ERR_NOACK sends no
// status. OpenSSL frees the response it is given, so each handshake gets its own copy.
int on_status_request(SSL* ssl, void* arg) {
  const auto* staple = static_cast<const ocsp_staple*>(arg);
  if (staple == nullptr || !staple->is_stapled_at(std::time(nullptr))) return SSL_TLSEXT_ERR_NOACK;
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(staple->der.size()));
  if (copy == nullptr) return SSL_TLSEXT_ERR_NOACK;
  std::memcpy(copy, staple->der.data(), staple->der.size());
  if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, static_cast<long>(staple->der.size())) != 1) {
    OPENSSL_free(copy);
    return SSL_TLSEXT_ERR_NOACK;
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

ocsp_staple load_ocsp_staple(SSL_CTX* ctx, const std::string& file, const std::string& chain_file) {
  X509* issuer = issuer_of(ctx, file, chain_file);
  return read_ocsp_response(file, SSL_CTX_get0_certificate(ctx), issuer);
}

void staple_ocsp(SSL_CTX* ctx, const ocsp_staple& staple) {
  SSL_CTX_set_tlsext_status_cb(ctx, on_status_request);
  SSL_CTX_set_tlsext_status_arg(ctx, const_cast<ocsp_staple*>(&staple));
}

}  // namespace teapot::tls
