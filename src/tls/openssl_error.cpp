#include "tls/openssl_error.h"

#include <openssl/err.h>

#include <array>
#include <stdexcept>

namespace teapot::tls {

std::string take_openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> line{};
    ERR_error_string_n(code, line.data(), line.size());
    if (!out.empty()) out += "; ";
    out += line.data();
  }
  return out;
}

void throw_openssl_error(const std::string& what) {
  const std::string why = take_openssl_errors();
  throw std::runtime_error(why.empty() ? what : what + ": " + why);
}

}  // namespace teapot::tls
