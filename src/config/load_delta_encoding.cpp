// [sites.delta_encoding]: the site's delta encoding (RFC 3229), with the checks that
// site::set_delta_encoding would otherwise throw for, reported at the key.
#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

void read_delta_encoding(table_reader& r, delta_encoding_options& out) {
  if (auto prefixes = r.strings("prefixes")) {
    for (const std::string& p : *prefixes)
      if (!p.starts_with('/'))
        r.error("prefixes", single_quoted(p) + " is no path prefix: it must start with '/'");
    out.prefixes = std::move(*prefixes);
  }
  if (out.prefixes.empty())
    r.error("prefixes", "names no path prefix: delta encoding would apply nowhere");
  if (auto n = r.integer("versions", 2, 1000)) out.versions = static_cast<std::size_t>(*n);
  if (auto n = r.size("max_file_size")) {
    if (*n == 0) r.error("max_file_size", "is 0: no file could be kept");
    out.max_file_size = *n;
  }
  if (auto n = r.size("max_store_size")) out.max_store_size = *n;
  if (out.max_store_size < out.max_file_size)
    r.error("max_store_size", "is smaller than max_file_size: the largest file could not be kept");
}

}  // namespace teapot::config::detail
