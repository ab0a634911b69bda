// One OpenSSL context per certificate: the server-wide choices of tls_config applied, the
// certificate chain and its key loaded and checked against each other.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tls/ocsp_response.h"
#include "tls/openssl_handles.h"
#include "tls/tls_config.h"

namespace teapot::tls {

struct certificate_context {
  // The response stapled on context (ocsp_stapling.h); null without ocsp_response_file.
  // Declared first, freed last: context's status callback points at it.
  std::unique_ptr<const ocsp_staple> ocsp;
  ssl_ctx_ptr context;
  std::string chain_file;
  std::vector<std::string> names;     // normalized (host_names.h); what SNI and Host match
  std::vector<std::string> warnings;  // e.g. an expired certificate, a stale OCSP response
};

// Throws std::runtime_error naming the file and quoting OpenSSL's reasons when the chain or the
// key cannot be read, when the key does not match the certificate, or when a tls_config value
// (cipher list, suites, groups) is refused, and when the OCSP response cannot be read or is
// not for this certificate (ocsp_stapling.h). The context's only callback is the one that
// staples the OCSP response, if any: context_set installs the others.
certificate_context load_certificate(const certificate_config& certificate,
                                     const tls_config& config);

}  // namespace teapot::tls
