// Reading a teapot.toml into the configuration model, with every mistake reported at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.h"

namespace teapot::config {

// The threads of the blocking-work pool that [server] blocking_threads and --blocking-threads
// accept: at least one, or blocking work (password checks, large files to compress) would
// never run; a few per core is plenty, and every thread reserves a stack.
inline constexpr unsigned min_blocking_threads = 1;
inline constexpr unsigned max_blocking_threads = 256;

// One mistake, where it is: line and column are 1-based (0 when the file could not be read).
// The message starts with the key's path ("sites[0].rules[2].status: ...") and says what was
// expected instead.
struct config_error {
  std::filesystem::path file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;
};

// "FILE:LINE:COLUMN: message" (or "FILE: message" without a position).
std::string format_error(const config_error& error);

// Either a complete model (errors empty) or the errors (config empty): never both, never a
// partial model.
struct load_result {
  std::optional<configuration> config;
  std::vector<config_error> errors;
};

// Reads and checks the file, and the files it names (root directories, htpasswd files, error
// pages must exist; htpasswd lines must hold a supported hash). Relative paths in it are taken
// from the file's directory. Thread-compatible; touches only the filesystem.
load_result load_config(const std::filesystem::path& file);

// The same for text already in memory; `file` names it in errors and anchors relative paths.
load_result load_config_text(std::string_view text, const std::filesystem::path& file);

}  // namespace teapot::config
