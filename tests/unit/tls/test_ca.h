// A certificate authority made in memory for the OCSP tests: certificates it issues, and OCSP
// responses about them with whatever status, dates, signer and CertID hash a case needs.
#pragma once

#include <openssl/ocsp.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tls/openssl_handles.h"

namespace teapot::tls::testing {

// A certificate and its key (EC P-256).
struct issued {
  x509_ptr certificate;
  pkey_ptr key;
};

enum class role : std::uint8_t {
  authority,   // basicConstraints CA:TRUE, keyUsage keyCertSign
  server,      // the leaf: serverAuth, subjectAltName DNS:localhost
  responder,   // a delegated OCSP responder: extendedKeyUsage id-kp-OCSPSigning
  no_signing,  // a certificate the authority issued without id-kp-OCSPSigning
};

// A self-signed authority named cn.
issued make_authority(const std::string& cn);
// A certificate of the given role, with serial, issued by authority.
issued issue(const issued& authority, role r, long serial);

struct ocsp_case {
  X509* subject = nullptr;  // whose status the response gives
  X509* issuer = nullptr;   // of subject, for the CertID
  int status = V_OCSP_CERTSTATUS_GOOD;
  std::time_t this_update = 0;
  std::optional<std::time_t> next_update;
  const issued* signer = nullptr;  // signs the response, its certificate included
  const EVP_MD* id_hash = EVP_sha1();
  X509* also = nullptr;  // a second certificate (of issuer) the response speaks of
  int response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL;  // others carry no response
};

// The DER OCSPResponse that c describes.
std::vector<unsigned char> make_ocsp_response(const ocsp_case& c);

void write_der(const std::filesystem::path& file, const std::vector<unsigned char>& der);
// certificates in PEM, one after the other; or key.
void write_pem(const std::filesystem::path& file, const std::vector<X509*>& certificates);
void write_pem(const std::filesystem::path& file, EVP_PKEY* key);

}  // namespace teapot::tls::testing
