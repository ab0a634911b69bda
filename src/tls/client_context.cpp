#include "tls/client_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>

#include <stdexcept>

namespace teapot::tls {

namespace {

bool is_address(std::string_view host) {
  const std::string h(host);
  unsigned char buf[16];
  return ::inet_pton(AF_INET, h.c_str(), buf) == 1 || ::inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace

ssl_ctx_ptr make_client_context(const client_options& o) {
  ssl_ctx_ptr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) throw std::runtime_error("TLS: cannot make a client context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Many servers close without close_notify after a response the close delimits; the
  // response's own framing tells whether it is whole.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Writes resume where a full socket stopped them, from a buffer that may have moved meanwhile
  // (the request's buffer drops what was sent).
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  static constexpr unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.get(), alpn, sizeof alpn);
  if (o.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    const bool loaded = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get()) == 1
                                          : SSL_CTX_load_verify_locations(
                                                ctx.get(), o.ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
      ERR_clear_error();
      throw std::runtime_error("TLS: cannot read the trusted CAs" +
                               (o.ca_file.empty() ? std::string() : " in " + o.ca_file));
    }
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

ssl_ptr make_client(SSL_CTX* ctx, int fd, std::string_view host) {
  ssl_ptr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) return nullptr;
  const std::string name(host);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  if (is_address(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) return nullptr;
  } else {
    if (SSL_set_tlsext_host_name(ssl.get(), name.c_str()) != 1) return nullptr;
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size()) != 1) return nullptr;
  }
  SSL_set_connect_state(ssl.get());
  return ssl;
}

std::string client_failure(const SSL* ssl, int ssl_error) {
  if (const long v = SSL_get_verify_result(ssl); v != X509_V_OK)
    return std::string("TLS: certificate verify failed: ") + X509_verify_cert_error_string(v);
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return std::string("TLS: ") + text;
  }
  return ssl_error == SSL_ERROR_SYSCALL ? "TLS: the upstream closed during the handshake"
                                        : "TLS: the handshake failed";
}

}  // namespace teapot::tls
