#include "config/logs.h"

namespace teapot::config {

teapot::access_log_format to_public(access_log_format f) noexcept {
  switch (f) {
    case access_log_format::common:
      return teapot::access_log_format::common;
    case access_log_format::combined:
      return teapot::access_log_format::combined;
    case access_log_format::json:
      return teapot::access_log_format::json;
  }
  return teapot::access_log_format::combined;
}

teapot::log_level to_public(log_level l) noexcept {
  switch (l) {
    case log_level::debug:
      return teapot::log_level::debug;
    case log_level::info:
      return teapot::log_level::info;
    case log_level::warn:
      return teapot::log_level::warn;
    case log_level::error:
      return teapot::log_level::error;
  }
  return teapot::log_level::info;
}

logs open_logs(const configuration& c) {
  logs out;
  if (c.access_log.enabled) {
    out.access.file =
        c.access_log.path.empty() ? log_file::standard_output() : log_file::open(c.access_log.path);
    out.access.format = to_public(c.access_log.format);
  }
  out.errors = std::make_shared<error_log>(
      c.error_log.path.empty() ? log_file::standard_error() : log_file::open(c.error_log.path),
      to_public(c.error_log.level));
  return out;
}

}  // namespace teapot::config
