// Internal to the loader: walks toml++ tables, converts values, and records every mistake with
// its source position and key path. Knows nothing about teapot's schema.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// toml++ 3.3 asserts preconditions that malformed text breaks ("[&", "a = [1,}"; upstream
// issue 294): with assertions on, `teapot check` would stop on a typo instead of reporting it,
// and with NDEBUG under clang each assertion becomes an assumption, undefined behaviour.
// Without them toml++ reports these as the parse errors they are, as a GCC release build
// always did: so it is included with its assertions off, never turned into assumptions.
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

#include "config/load.h"

namespace teapot::config::detail {

// The errors found so far, and where relative paths start from.
class diagnostics {
 public:
  diagnostics(std::filesystem::path file, std::filesystem::path base_dir);

  void error(const toml::source_region& where, std::string message);
  void error(const toml::source_position& where, std::string message);
  // For a file the configuration names (htpasswd): its own name and line.
  void error_in(const std::filesystem::path& file, std::uint32_t line, std::string message);
  bool has_errors() const noexcept { return !errors_.empty(); }
  // The errors of the configuration file in the order of the file, then those of the files
  // it names.
  std::vector<config_error> take();

  // Absolute and lexically normal; relative paths start at the configuration's directory.
  std::filesystem::path resolve(std::string_view path) const;
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
  std::filesystem::path base_dir_;
  std::vector<config_error> errors_;
};

// Reads one table. Every key asked for (present or not) is a key the table may hold; finish()
// reports the others as unknown, with a near miss among the known ones when there is one.
// Getters report wrong types and bad values themselves and return nullopt then.
class table_reader {
 public:
  table_reader(diagnostics& diag, const toml::table& table, std::string path);

  const std::string& path() const noexcept { return path_; }
  std::string key_path(std::string_view key) const;
  diagnostics& diag() noexcept { return diag_; }
  const toml::table& table() const noexcept { return table_; }

  const toml::node* get(std::string_view key);
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  // "8KiB", "1MiB" (config/units.h) or a number of bytes.
  std::optional<std::uint64_t> size(std::string_view key);
  // "2s", "500ms" (config/units.h) or a number of seconds.
  std::optional<std::chrono::milliseconds> duration(std::string_view key);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  // A sub-table; nullptr when absent (or of another type, which is reported).
  const toml::table* sub_table(std::string_view key);
  // An array whose elements must all be tables; empty when absent or wrong (reported).
  std::vector<const toml::table*> tables(std::string_view key);

  // A key that this table may hold in other circumstances: when present, `why` is reported.
  void refuse(std::string_view key, std::string_view why);

  // At the key's value, or at the table when the key is absent.
  void error(std::string_view key, std::string_view message);
  void error_at(const toml::node& node, std::string_view key, std::string_view message);
  void missing(std::string_view key, std::string_view what);
  // True when the key is present; otherwise reports it missing with `what` it should hold.
  bool require(std::string_view key, std::string_view what);
  void finish();

 private:
  void mark(std::string_view key);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);

  diagnostics& diag_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string> known_;
};

// "a string", "an integer", ...
std::string_view type_name(const toml::node& node) noexcept;
// The closest of `candidates` to `word` when close enough to be a typo, else empty.
std::string near_miss(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace teapot::config::detail
