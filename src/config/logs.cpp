#include "config/logs.h"

namespace teapot::config {

logs open_logs(const configuration& c) {
  logs out;
  if (c.access_log.enabled) {
    out.access.file =
        c.access_log.path.empty() ? log_file::standard_output() : log_file::open(c.access_log.path);
    out.access.format = c.access_log.format;
  }
  out.errors = std::make_shared<error_log>(
      c.error_log.path.empty() ? log_file::standard_error() : log_file::open(c.error_log.path),
      c.error_log.level);
  return out;
}

}  // namespace teapot::config
