// TLS towards upstream servers (the reverse proxy's https:// upstreams): a client context whose
// handshakes check the server's certificate against trusted CAs and the name the upstream was
// written with (RFC 6125: a DNS name, or an IP address in the certificate's IP SANs), over
// TLS 1.2 or 1.3 with ALPN "http/1.1". The connection's I/O is the caller's (SSL on its
// non-blocking socket).
// Thread contract: a context is shared by every thread once made; an SSL belongs to one.
#pragma once

#include <string>
#include <string_view>

#include "tls/openssl_handles.h"

namespace teapot::tls {

struct client_options {
  bool verify = true;   // off: any certificate is taken (an upstream on a trusted network)
  std::string ca_file;  // PEM file of trusted CAs; empty: the system's (/etc/ssl/certs)
};

// Throws std::runtime_error when the CA file cannot be read.
ssl_ctx_ptr make_client_context(const client_options& o);

// An SSL for a new connection on fd to host (a name, or an address, as written, without
// brackets): SNI for a name (RFC 6066 §3 names no address), and the name or address the
// certificate must hold. Null when OpenSSL fails.
ssl_ptr make_client(SSL_CTX* ctx, int fd, std::string_view host);

// Why the last handshake on ssl failed, for the error log ("certificate verify failed:
// self-signed certificate", "...").
std::string client_failure(const SSL* ssl, int ssl_error);

}  // namespace teapot::tls
