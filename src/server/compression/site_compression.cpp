// site::set_compression: the checks that make a site's compression options safe to use on
// the data path, where an unknown coding or level is never looked at again.
#include <stdexcept>
#include <string>
#include <utility>

#include "server/compression/codec.h"
#include "teapot/site.h"

namespace teapot {

namespace {

void check_level(srv::compression::coding c, int level) {
  const auto [min, max] = srv::compression::levels_of(c);
  if (level < min || level > max)
    throw std::invalid_argument("compression level " + std::to_string(level) + " of " +
                                std::string(srv::compression::name_of(c)) + " is not in " +
                                std::to_string(min) + ".." + std::to_string(max));
}

}  // namespace

site& site::set_compression(compression_options options) {
  bool seen[3] = {};
  for (const std::string& name : options.codings) {
    const auto c = srv::compression::coding_named(name);
    if (!c) throw std::invalid_argument("unknown content-coding '" + name + "'");
    if (seen[static_cast<int>(*c)]) throw std::invalid_argument("'" + name + "' named twice");
    seen[static_cast<int>(*c)] = true;
  }
  for (const std::string& type : options.types)
    if (type.empty()) throw std::invalid_argument("empty media type in compression types");
  check_level(srv::compression::coding::gzip, options.gzip_level);
  check_level(srv::compression::coding::br, options.brotli_level);
  check_level(srv::compression::coding::zstd, options.zstd_level);
  compression_ = std::move(options);
  return *this;
}

}  // namespace teapot
