// The teapot command: `teapot serve` runs the server, `teapot explain` tells what a status
// code means.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "config/units.h"
#include "http/explain.h"
#include "teapot/handlers/static_files.h"
#include "teapot/server.h"

namespace {

constexpr const char* version = "0.1.0";

// A flag whose text is a size ("8KiB") or a duration ("2s"), checked as CLI11 parses it.
template <class T, class Parse>
void add_unit_option(CLI::App& app, const std::string& name, T& target, Parse parse,
                     const std::string& help, const std::string& kind) {
  app.add_option_function<std::string>(
         name,
         [&target, parse, name, kind](const std::string& text) {
           auto v = parse(text);
           if (!v) throw CLI::ValidationError(name, "'" + text + "' is not a " + kind);
           target = static_cast<T>(*v);
         },
         help)
      ->type_name(kind == "size" ? "SIZE" : "DURATION");
}

struct serve_flags {
  std::string root = "examples/site";
  teapot::server_options options;
};

void add_serve_flags(CLI::App& serve, serve_flags& f) {
  serve.add_option("DIR", f.root, "Directory to serve")->capture_default_str();
  teapot::server_options& o = f.options;
  serve
      .add_option("--listen", o.listen, "Address to listen on, HOST:PORT or [V6]:PORT (repeatable)")
      ->capture_default_str();
  serve
      .add_option("--workers", o.workers,
                  "Worker threads, each with its own event loop (0: one per core)")
      ->capture_default_str();
  auto size = [](std::string_view t) { return teapot::config::parse_size(t); };
  auto dur = [](std::string_view t) { return teapot::config::parse_duration(t); };
  teapot::limits& l = o.limits;
  add_unit_option(serve, "--max-request-line", l.request_line, size,
                  "Longest request line; 414 past it (default 8KiB)", "size");
  add_unit_option(serve, "--max-field-line", l.field_line, size,
                  "Longest header field line; 431 past it (default 8KiB)", "size");
  add_unit_option(serve, "--max-header-section", l.header_section, size,
                  "Largest header section; 431 past it (default 64KiB)", "size");
  serve.add_option("--max-fields", l.fields, "Most header fields; 431 past it")
      ->capture_default_str();
  add_unit_option(serve, "--max-body", l.body, size,
                  "Largest request body; 413 past it (default 1MiB)", "size");
  add_unit_option(serve, "--max-chunk-line", l.chunk_line, size,
                  "Longest chunk-size line with extensions; 413 past it (default 4KiB)", "size");
  add_unit_option(serve, "--header-timeout", l.header_timeout, dur,
                  "Time to receive a request head; 408 past it (default 10s)", "duration");
  add_unit_option(serve, "--body-timeout", l.body_timeout, dur,
                  "Longest pause while a body arrives; 408 past it (default 10s)", "duration");
  add_unit_option(serve, "--keep-alive-timeout", l.keep_alive_timeout, dur,
                  "Idle time before a keep-alive connection is closed (default 5s)", "duration");
  add_unit_option(serve, "--drain-timeout", o.drain_timeout, dur,
                  "On SIGTERM/SIGINT, time left to in-flight requests (default 10s)", "duration");
}

int run_serve(serve_flags& f) {
  teapot::server srv(f.options);
  srv.routes().get("/*", teapot::handlers::make_static_files({.root = f.root}));
  srv.start();
  for (std::size_t i = 0; i < f.options.listen.size(); ++i)
    std::fprintf(stderr, "teapot: serving %s on %s (port %u)\n", f.root.c_str(),
                 f.options.listen[i].c_str(), static_cast<unsigned>(srv.ports()[i]));
  srv.run();
  return 0;
}

int run_explain(int code, const std::string& lang) {
  std::string text = teapot::http::explain(
      code, lang == "fr" ? teapot::http::language::fr : teapot::http::language::en);
  if (text.empty()) {
    std::fprintf(stderr, "teapot: %d is not a registered HTTP status code\n", code);
    return 2;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"teapot: an HTTP server that speaks every status code"};
  app.set_version_flag("--version", version);
  app.require_subcommand(1);

  serve_flags serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve a directory over HTTP/1.1");
  add_serve_flags(*serve_cmd, serve);

  int code = 0;
  std::string lang = "en";
  CLI::App* explain_cmd = app.add_subcommand("explain", "Explain an HTTP status code");
  explain_cmd->add_option("CODE", code, "Status code, e.g. 404")->required();
  explain_cmd->add_option("--lang", lang, "Language of the text")
      ->check(CLI::IsMember({"en", "fr"}))
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*serve_cmd) return run_serve(serve);
    if (*explain_cmd) return run_explain(code, lang);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "teapot: %s\n", e.what());
    return 1;
  }
  return 0;
}
