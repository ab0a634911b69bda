// What a configuration reload can take while the server runs, and what waits for a restart.
#pragma once

#include <string>
#include <vector>

#include "config/model.h"

namespace teapot::config {

// The keys of `loaded` whose values differ from `running` and that a running server cannot
// take: its listeners and workers, its limits, methods, Server field, drain timeout and
// connection cap, and where and how it logs (the error log's level is taken live). Sites
// and their pipelines are always taken. In the file's order of tables; empty when none.
std::vector<std::string> changes_needing_restart(const configuration& running,
                                                 const configuration& loaded);

}  // namespace teapot::config
