#include "config/load_compression.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

// The codings the server can produce, with their levels (as site::set_compression checks
// them; repeated here so that a mistake is reported at its place in the file).
struct known_coding {
  std::string_view name;
  int min_level;
  int max_level;
  int compression_options::*level;
};

constexpr known_coding known_codings[] = {
    {"zstd", 1, 19, &compression_options::zstd_level},
    {"br", 0, 11, &compression_options::brotli_level},
    {"gzip", 1, 9, &compression_options::gzip_level},
};

std::string known_names() {
  return "\"zstd\", \"br\" or \"gzip\"";
}

void read_codings(table_reader& r, compression_options& out) {
  auto codings = r.strings("codings");
  if (!codings) return;
  const toml::array& nodes = *r.table().get_as<toml::array>("codings");
  for (std::size_t i = 0; i < codings->size(); ++i) {
    const std::string& name = (*codings)[i];
    const std::string key = "codings[" + std::to_string(i) + "]";
    const bool known = std::any_of(std::begin(known_codings), std::end(known_codings),
                                   [&](const known_coding& k) { return k.name == name; });
    if (!known)
      r.error_at(*nodes.get(i), key,
                 single_quoted(name) + " is not a coding teapot compresses with; expected " +
                     known_names());
    else if (std::count(codings->begin(), codings->begin() + static_cast<std::ptrdiff_t>(i), name) >
             0)
      r.error_at(*nodes.get(i), key, single_quoted(name) + " is named twice");
  }
  out.codings = std::move(*codings);
}

// "text/*", "application/json" or "+json" (RFC 6838 §4.2: tokens; §4.2.8: suffixes).
bool is_type_pattern(std::string_view p) {
  if (p.starts_with('+')) return base::ascii::is_token(p.substr(1));
  const std::size_t slash = p.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view type = p.substr(0, slash);
  const std::string_view subtype = p.substr(slash + 1);
  return type != "*" && base::ascii::is_token(type) && base::ascii::is_token(subtype);
}

void read_types(table_reader& r, compression_options& out) {
  auto types = r.strings("types");
  if (!types) return;
  const toml::array& nodes = *r.table().get_as<toml::array>("types");
  for (std::size_t i = 0; i < types->size(); ++i)
    if (!is_type_pattern((*types)[i]))
      r.error_at(*nodes.get(i), "types[" + std::to_string(i) + "]",
                 single_quoted((*types)[i]) +
                     " is not a media type pattern; expected \"type/subtype\", \"type/*\" "
                     "or a suffix such as \"+json\"");
  out.types = std::move(*types);
}

void read_levels(table_reader& r, compression_options& out) {
  const toml::table* t = r.sub_table("levels");
  if (!t) return;
  table_reader levels(r.diag(), *t, r.key_path("levels"));
  for (const known_coding& k : known_codings)
    if (auto v = levels.integer(k.name, k.min_level, k.max_level))
      out.*k.level = static_cast<int>(*v);
  levels.finish();
}

}  // namespace

void read_compression(table_reader& r, compression_options& out) {
  out.enabled = true;
  if (auto b = r.boolean("enabled")) out.enabled = *b;
  read_codings(r, out);
  if (auto n = r.size("min_length")) out.min_length = *n;
  if (auto n = r.size("max_file_size")) out.max_file_size = *n;
  read_types(r, out);
  read_levels(r, out);
}

}  // namespace teapot::config::detail
