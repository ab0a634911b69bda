// OCSP stapling on a certificate's context (RFC 6066 §8, "status_request"; in TLS 1.3 the
// response rides the leaf's entry of the Certificate message, RFC 8446 §4.4.2.1): the response
// is the operator's file, read and checked when the context is made, never fetched.
#pragma once

#include <openssl/types.h>

#include <string>

#include "tls/ocsp_response.h"

namespace teapot::tls {

// The staple for ctx's certificate, from file: checked (check_ocsp_response) against ctx's
// leaf and the next certificate of its chain, the leaf's issuer. Throws std::runtime_error
// naming file and chain_file when the chain holds no certificate after the leaf, or when that
// one did not issue the leaf; and as read_ocsp_response does.
ocsp_staple load_ocsp_staple(SSL_CTX* ctx, const std::string& file, const std::string& chain_file);

// From now on, a client whose ClientHello asks for the certificate status gets a copy of
// staple's response, as long as staple.is_stapled_at() the handshake's time; other clients,
// and every client once the response's nextUpdate has passed, get none. staple is not copied:
// it must outlive every handshake on ctx. Called on any thread but ctx's handshakes'.
void staple_ocsp(SSL_CTX* ctx, const ocsp_staple& staple);

}  // namespace teapot::tls
