// What `teapot --version` says: the release, the commit it was built from, and the versions of
// the libraries it runs with.
#pragma once

#include <string>

namespace teapot::app {

// The short hash of the commit the command was built from, or "unknown" outside a git
// checkout. Defined in build_commit.cpp, which cmake/build_commit.cmake writes at build time.
extern const char* const build_commit;

// "teapot 0.1.0 (commit 5c2a702)", then one line per linked library, "zlib 1.2.13". The
// versions come from each library's own call, at run time: a shared library upgraded under
// the binary shows its new version. No final newline.
std::string version_text();

}  // namespace teapot::app
