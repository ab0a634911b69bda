// An OCSP response to staple (RFC 6066 §8): read from a file the operator renews (`openssl ocsp
// -respout`, a cron job), never fetched by the server, and checked against the certificate it
// is stapled to before the server takes it.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace teapot::tls {

// RFC 6960 §4.2.1 CertStatus.
enum class ocsp_cert_status : std::uint8_t { good, revoked, unknown };

// A checked response. Built once (at start-up or on reload), then only read.
struct ocsp_staple {
  std::vector<unsigned char> der;  // the OCSPResponse as the file holds it; empty: not stapled
  ocsp_cert_status status = ocsp_cert_status::good;
  std::time_t this_update = 0;
  std::optional<std::time_t> next_update;  // none: the responder gave no nextUpdate
  // A sentence for the error log: a response that is stale, not valid yet, or that says the
  // certificate is revoked or unknown.
  std::optional<std::string> warning;

  // Whether a handshake at now gets der: one was kept, and its nextUpdate, if any, is to come.
  bool is_stapled_at(std::time_t now) const {
    return !der.empty() && (!next_update || now < *next_update);
  }
};

// Checks der, read from file (named in the messages), as the response to staple with leaf,
// issued by issuer, at time now:
//  - refused (std::runtime_error naming file): not one DER OCSPResponse (RFC 6960 §4.2.1), a
//    responseStatus other than successful, not a basic response, other than exactly one
//    SingleResponse, a CertID that is not leaf's under issuer (§4.1.1, matched with the hash
//    algorithm the response chose), or a signature by neither issuer nor a responder issuer
//    delegated to with id-kp-OCSPSigning (§4.2.2.2). These are mistakes of the configuration.
//  - kept, der emptied, with a warning: nextUpdate has passed, or thisUpdate is more than five
//    minutes ahead of now. A stale response is worse than none (clients refuse it, RFC 6960
//    §4.2.2.1), and the date is not a mistake of the file: a renewal fixes it.
//  - kept, with a warning: the certificate's status is revoked or unknown. Clients are told
//    what the responder says; they decide.
// Validity periods of the certificates are not looked at: that is for validity_problem.
ocsp_staple check_ocsp_response(std::span<const unsigned char> der, X509* leaf, X509* issuer,
                                std::time_t now, const std::string& file);

// Reads file and checks it (check_ocsp_response) at the current time; throws
// std::runtime_error naming it when it cannot be read.
ocsp_staple read_ocsp_response(const std::string& file, X509* leaf, X509* issuer);

}  // namespace teapot::tls
