// What a certificate says about itself: the host names it is for and whether it is valid now.
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string>
#include <vector>

namespace teapot::tls {

// The names a certificate is issued for, normalized (host_names.h): its subjectAltName DNS
// names and IP addresses (as text, "192.0.2.1", "2001:db8::1"), in the certificate's order; its
// subject's common name only when it has no DNS name, as clients do (RFC 6125 §6.4.4).
std::vector<std::string> certificate_names(X509* certificate);

// A sentence naming file when the certificate is expired or not valid yet, else nullopt.
// The server keeps such a certificate (see context_set) and clients refuse it.
std::optional<std::string> validity_problem(X509* certificate, const std::string& file);

// t as "2025-01-31 12:00:00 UTC", for messages; "an unreadable date" when it is not one.
std::string time_text(const ASN1_TIME* t);

}  // namespace teapot::tls
