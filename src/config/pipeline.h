// From a checked configuration to a server ready to start: options, sites, and each site's
// pipeline, whose order is written once, here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/logs.h"
#include "config/model.h"
#include "teapot/handlers/static_files.h"
#include "teapot/router.h"
#include "teapot/server.h"

namespace teapot::config {

// Throws std::system_error when a site's root cannot be opened (the file may have changed
// since it was checked), and as handlers::mount_webdav does for a WebDAV area. The server
// writes to the given logs (none: no access log, errors to standard error); failed Basic
// authentication goes to the error log at warn.
// With [server.metrics] on a path of the default site, the route reports metrics_of's counts
// (a reload builds a server only to hand its sites to the running one), else its own.
std::unique_ptr<teapot::server> build_server(const configuration& c, const logs& l = {},
                                             const teapot::server* metrics_of = nullptr);

// The listener of [server.metrics] listen, when it is set (else null): a server of one worker
// whose only route is the metrics path, reporting watched's counts. Start it after watched
// (which blocks the shutdown signals for the threads started after it), stop it after.
std::unique_ptr<teapot::server> build_metrics_server(const configuration& c,
                                                     const teapot::server& watched,
                                                     const logs& l = {});

// Serves the files below options.root for every path, on GET, HEAD and OPTIONS: the one place
// both `teapot serve DIR` and a configured site's root mount them. Throws as
// handlers::make_static_files does.
void mount_static_files(router& routes, handlers::static_files_options options);

// The two halves of build_server, for a caller that runs the sites without a teapot::server
// (the spec ring's in-memory transport). The server's options (limits, strict hosts, logs):
teapot::server_options server_options_of(const configuration& c, const logs& l = {});

// Where build_sites puts the sites: add makes one for the hosts, in the configuration's order;
// make_default names the one that takes every Host nobody claims.
struct site_sink {
  std::function<site&(std::vector<std::string> hosts)> add;
  std::function<void(site&)> make_default;
};
// Builds every site of c, its pipeline and its routes, into the sites out makes. Throws as
// build_server does.
// A metrics route (server.metrics on a site) is built only with metrics_of.
void build_sites(const configuration& c, const site_sink& out, const logs& l = {},
                 const teapot::server* metrics_of = nullptr);

}  // namespace teapot::config
