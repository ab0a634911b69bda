#include <stdexcept>
#include <string>
#include <vector>

#include "teapot/tls.h"
#include "tls/context_set.h"

namespace teapot {

std::string check_certificate(const tls_certificate& c) {
  try {
    const tls::context_set set(
        {{c.chain.string(), c.key.string(), c.names, c.ocsp_response.string()}}, tls::tls_config{});
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace teapot
