// One OpenSSL context per certificate: the server-wide choices of tls_config applied, the
// certificate chain and its key loaded and checked against each other.
#pragma once

#include <string>
#include <vector>

#include "tls/openssl_handles.h"
#include "tls/tls_config.h"

namespace teapot::tls {

struct certificate_context {
  ssl_ctx_ptr context;
  std::string chain_file;
  std::vector<std::string> names;     // normalized (host_names.h); what SNI and Host match
  std::vector<std::string> warnings;  // e.g. an expired certificate
};

// Throws std::runtime_error naming the file and quoting OpenSSL's reasons when the chain or the
// key cannot be read, when the key does not match the certificate, or when a tls_config value
// (cipher list, suites, groups) is refused. The context has no callbacks yet: context_set
// installs them.
certificate_context load_certificate(const certificate_config& certificate,
                                     const tls_config& config);

}  // namespace teapot::tls
