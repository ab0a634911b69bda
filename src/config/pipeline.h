// From a checked configuration to a server ready to start: options, sites, and each site's
// pipeline, whose order is written once, here.
#pragma once

#include <memory>

#include "config/logs.h"
#include "config/model.h"
#include "teapot/server.h"

namespace teapot::config {

// Throws std::system_error when a site's root cannot be opened (the file may have changed
// since it was checked). The server writes to the given logs (none: no access log, errors to
// standard error); failed Basic authentication goes to the error log at warn.
std::unique_ptr<teapot::server> build_server(const configuration& c, const logs& l = {});

}  // namespace teapot::config
