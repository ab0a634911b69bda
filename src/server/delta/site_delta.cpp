// site::set_delta_encoding: the checks that make a site's delta-encoding options safe to use
// on the data path, and the site's store of versions, made once here.
#include <stdexcept>
#include <string>
#include <utility>

#include "server/delta/version_store.h"
#include "teapot/site.h"

namespace teapot {

site& site::set_delta_encoding(delta_encoding_options options) {
  for (const std::string& prefix : options.prefixes)
    if (!prefix.starts_with('/'))
      throw std::invalid_argument("delta encoding prefix '" + prefix + "' does not start with '/'");
  if (options.versions < 2)
    throw std::invalid_argument(
        "delta encoding keeps at least 2 versions a path: the current one and one to start from");
  if (options.max_file_size == 0 || options.max_store_size < options.max_file_size)
    throw std::invalid_argument(
        "delta encoding's max_store_size must hold a file of max_file_size, which is not 0");
  delta_store_ = options.prefixes.empty() ? nullptr
                                          : std::make_shared<srv::delta::version_store>(
                                                options.versions, options.max_store_size);
  delta_ = std::move(options);
  return *this;
}

}  // namespace teapot
