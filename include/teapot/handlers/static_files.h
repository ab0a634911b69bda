// Serves the files below a directory (GET and HEAD; route it as router.get("/*", ...)).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "teapot/handler.h"

namespace teapot::handlers {

struct static_files_options {
  std::filesystem::path root;
  // Tried in order for a directory requested with its trailing slash.
  std::vector<std::string> index_files{"index.html"};
};

// Throws std::system_error when root cannot be opened as a directory. Paths resolve beneath
// root only: a symbolic link may point anywhere inside it, never outside (403).
handler make_static_files(static_files_options options);

}  // namespace teapot::handlers
