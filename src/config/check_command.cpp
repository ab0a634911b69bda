#include "config/check_command.h"

#include <string>

#include "config/load.h"

namespace teapot::config {

int run_check(const std::filesystem::path& file, std::FILE* out, std::FILE* err) {
  load_result result = load_config(file);
  // The exit status carries the verdict: a line that cannot be printed changes nothing of it.
  if (result.errors.empty()) {
    (void)std::fprintf(out, "%s: ok\n", file.c_str());
    return 0;
  }
  for (const config_error& e : result.errors)
    (void)std::fprintf(err, "%s\n", format_error(e).c_str());
  return 2;
}

}  // namespace teapot::config
