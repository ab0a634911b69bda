#include "config/check_command.h"

#include <string>

#include "config/load.h"
#include "teapot/handlers/static_files.h"

namespace teapot::config {

int run_check(const std::filesystem::path& file, std::FILE* out, std::FILE* err) {
  load_result result = load_config(file);
  // The exit status carries the verdict: a line that cannot be printed changes nothing of it.
  if (result.errors.empty()) {
    // Warnings: what would serve, but not as the operator meant (RFC 2295 §8.1: a 506).
    for (const site_config& site : result.config->sites)
      for (const std::string& w : handlers::check_type_maps(site.static_files))
        (void)std::fprintf(out, "%s: warning: %s\n", file.c_str(), w.c_str());
    (void)std::fprintf(out, "%s: ok\n", file.c_str());
    return 0;
  }
  for (const config_error& e : result.errors)
    (void)std::fprintf(err, "%s\n", format_error(e).c_str());
  return 2;
}

}  // namespace teapot::config
