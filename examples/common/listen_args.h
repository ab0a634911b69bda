// The examples' command line: `--listen HOST:PORT`, repeatable, and the options an example adds
// (`--NAME VALUE`, each at most once).
#pragma once

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "teapot/server.h"

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
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string* target = nullptr;
    for (const auto& [name, where] : extra)
      if (arg == name) target = where;
    if ((arg != "--listen" && target == nullptr) || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--listen HOST:PORT]...", argv[0]);
      for (const auto& e : extra)
        std::fprintf(stderr, " [%.*s VALUE]", static_cast<int>(e.first.size()), e.first.data());
      std::fprintf(stderr, "\n");
      return std::nullopt;
    }
    if (target != nullptr)
      *target = argv[++i];
    else
      options.listen.emplace_back(argv[++i]);
  }
  if (options.listen.empty()) options.listen.emplace_back("127.0.0.1:8080");
  return options;
}

}  // namespace examples
