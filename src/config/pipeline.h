// From a checked configuration to a server ready to start: options, sites, and each site's
// pipeline, whose order is written once, here.
#pragma once

#include <memory>

#include "config/logs.h"
#include "config/model.h"
#include "teapot/handlers/static_files.h"
#include "teapot/router.h"
#include "teapot/server.h"

namespace teapot::config {

// Throws std::system_error when a site's root cannot be opened (the file may have changed
// since it was checked). The server writes to the given logs (none: no access log, errors to
// standard error); failed Basic authentication goes to the error log at warn.
std::unique_ptr<teapot::server> build_server(const configuration& c, const logs& l = {});

// Serves the files below options.root for every path, on GET, HEAD and OPTIONS: the one place
// both `teapot serve DIR` and a configured site's root mount them. Throws as
// handlers::make_static_files does.
void mount_static_files(router& routes, handlers::static_files_options options);

}  // namespace teapot::config
