// The examples' one command-line option: `--listen HOST:PORT`, repeatable.
#pragma once

#include <cstdio>
#include <optional>
#include <string_view>

#include "teapot/server.h"

namespace examples {

// Server options with the listeners named on the command line (127.0.0.1:8080 by default);
// nullopt after printing the usage for anything else.
inline std::optional<teapot::server_options> options_from_args(int argc, char** argv) {
  teapot::server_options options;
  options.listen.clear();
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg != "--listen" || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--listen HOST:PORT]...\n", argv[0]);
      return std::nullopt;
    }
    options.listen.emplace_back(argv[++i]);
  }
  if (options.listen.empty()) options.listen.emplace_back("127.0.0.1:8080");
  return options;
}

}  // namespace examples
