// The logs a configuration names, opened once: `teapot serve` keeps them across reloads, and
// reopens the files (same paths) on SIGHUP and SIGUSR1.
#pragma once

#include <memory>

#include "config/model.h"
#include "teapot/log.h"

namespace teapot::config {

struct logs {
  access_log_options access;  // no file: no access log
  std::shared_ptr<error_log> errors;
};

// Opens the access log (when enabled) and the error log at their paths, or standard output
// and standard error. Throws std::system_error when a file cannot be opened for appending.
logs open_logs(const configuration& c);

}  // namespace teapot::config
