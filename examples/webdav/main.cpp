// A WebDAV share in a few lines: the folder given with --root, below /dav/, with the methods
// WebDAV needs added to the server's list (any other method still gets 501).
//
//   example_webdav --root DIR [--listen HOST:PORT]...
//
//   cadaver http://127.0.0.1:8080/dav/      or mount it in a file manager
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>

#include "../common/listen_args.h"
#include "teapot/handlers/webdav.h"
#include "teapot/server.h"

int main(int argc, char** argv) {
  std::string root;
  auto options = examples::options_from_args(argc, argv, {{"--root", &root}});
  if (!options) return 2;
  if (root.empty()) {
    std::fprintf(stderr, "usage: %s --root DIR [--listen HOST:PORT]...\n", argv[0]);
    return 2;
  }
  for (const std::string& m : teapot::handlers::webdav_methods())
    if (std::find(options->methods.begin(), options->methods.end(), m) == options->methods.end())
      options->methods.push_back(m);
  try {
    teapot::server srv(std::move(*options));
    teapot::handlers::webdav_options dav;
    dav.prefix = "/dav/";
    dav.root = root;
    teapot::handlers::mount_webdav(srv.routes(), std::move(dav));
    srv.run();  // until SIGTERM or SIGINT, then a graceful stop
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example_webdav: %s\n", e.what());
    return 1;
  }
}
