// The examples' command line: `--listen HOST:PORT`, repeatable, and the options an example adds
// (`--NAME VALUE`, each at most once). The transports the server offers besides HTTP/1.1 on
// `--listen`: `--h2c` (HTTP/2 with prior knowledge there), and `--tls-listen HOST:PORT` with
// `--certificate FILE --key FILE` (PEM; HTTP/2 or HTTP/1.1 by ALPN).
#pragma once

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "teapot/server.h"
#include "teapot/tls.h"

namespace examples {

// An option of the example's own: its name ("--htpasswd") and where its value goes.
using extra_option = std::pair<std::string_view, std::string*>;

// Server options with the listeners named on the command line (127.0.0.1:8080 by default),
// the values of extra options stored where they say; nullopt after printing the usage for
// anything else.
inline std::optional<teapot::server_options> options_from_args(
    int argc, char** argv, std::initializer_list<extra_option> extra = {}) {
  teapot::server_options options;
  options.listen.clear();
  teapot::tls_certificate certificate;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--h2c") {
      options.h2c = true;
      continue;
    }
    std::string* target = nullptr;
    for (const auto& [name, where] : extra)
      if (arg == name) target = where;
    const bool known = arg == "--listen" || arg == "--tls-listen" || arg == "--certificate" ||
                       arg == "--key" || target != nullptr;
    if (!known || i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: %s [--listen HOST:PORT]... [--h2c] [--tls-listen HOST:PORT "
                   "--certificate FILE --key FILE]",
                   argv[0]);
      for (const auto& e : extra)
        std::fprintf(stderr, " [%.*s VALUE]", static_cast<int>(e.first.size()), e.first.data());
      std::fprintf(stderr, "\n");
      return std::nullopt;
    }
    const char* value = argv[++i];
    if (target != nullptr)
      *target = value;
    else if (arg == "--listen")
      options.listen.emplace_back(value);
    else if (arg == "--tls-listen")
      options.tls_listen.emplace_back(value);
    else if (arg == "--certificate")
      certificate.chain = value;
    else
      certificate.key = value;
  }
  if (!certificate.chain.empty()) options.certificates.push_back(certificate);
  if (options.listen.empty()) options.listen.emplace_back("127.0.0.1:8080");
  return options;
}

}  // namespace examples
