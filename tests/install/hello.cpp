// A program that embeds an installed teapot: tests/integration/test_install.py builds it with
// find_package(teapot CONFIG) and with pkg-config, and runs it with `--listen HOST:PORT`.
#include <teapot/server.h>

int main(int argc, char** argv) {
  teapot::server srv({.listen = {argc == 3 ? argv[2] : "127.0.0.1:8080"}});
  srv.routes().get("/hello", [](const teapot::request&, teapot::response& res) {
    res.text("Hello from an installed teapot\n");
  });
  srv.run();  // until SIGTERM or SIGINT
}
