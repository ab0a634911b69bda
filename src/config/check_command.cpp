#include "config/check_command.h"

#include <string>

#include "config/load.h"

namespace teapot::config {

int run_check(const std::filesystem::path& file, std::FILE* out, std::FILE* err) {
  load_result result = load_config(file);
  if (result.errors.empty()) {
    std::fprintf(out, "%s: ok\n", file.c_str());
    return 0;
  }
  for (const config_error& e : result.errors)
    std::fprintf(err, "%s\n", format_error(e).c_str());
  return 2;
}

}  // namespace teapot::config
