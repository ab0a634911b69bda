// The teapot command: `teapot serve` runs the server, `teapot explain` tells what a status
// code means, `teapot cert` makes a development certificate.
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/check_command.h"
#include "config/load.h"
#include "config/logs.h"
#include "config/pipeline.h"
#include "config/reload.h"
#include "config/send_buffer.h"
#include "config/units.h"
#include "http/explain.h"
#include "teapot/handlers/metrics.h"
#include "teapot/handlers/static_files.h"
#include "teapot/server.h"
#include "tls/self_signed.h"
#include "version.h"

namespace {

// CLI11's help as a person reads it: an option's values as words ("common|combined|json",
// never the validator's internals), and its default at the end of its description.
class help_formatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
    if (opt->get_type_size() == 0 || opt->get_type_name().empty()) return "";  // a flag
    std::string out = " " + opt->get_type_name();
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    return out;
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    const std::string& by_default = opt->get_default_str();
    if (by_default.empty()) return opt->get_description();
    return opt->get_description() + " (default " + by_default + ")";
  }
};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// An option that takes one of a few words, in any case. The help shows them as "a|b|c"; a
// word not among them is refused with the list.
template <class T>
CLI::Option* add_choice_option(CLI::App& app, const std::string& name, T& target,
                               std::vector<std::pair<std::string, T>> choices,
                               const std::string& help, const std::string& by_default) {
  std::string words;
  for (const auto& choice : choices)
    words += (words.empty() ? "" : "|") + choice.first;
  return app
      .add_option_function<std::string>(
          name,
          [&target, choices, name, words](const std::string& text) {
            for (const auto& [word, value] : choices)
              if (same_ignoring_case(word, text)) {
                target = value;
                return;
              }
            throw CLI::ValidationError(name, "'" + text + "' is not one of " + words);
          },
          help)
      ->option_text(words)
      ->default_str(by_default);
}

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
  std::string config;
  bool listen_given = false;
  bool workers_given = false;
  bool blocking_threads_given = false;
  std::string root = ".";  // the working directory, as python3 -m http.server serves
  std::string access_log;  // without --config: "-" is standard output; empty: none
  teapot::access_log_format access_log_format = teapot::access_log_format::combined;
  teapot::server_options options;
  teapot::handlers::static_files_options files;
  bool compress = false;
  bool metrics = false;
};

// "NAME=VALUE" split at the first '='; both sides must be non-empty.
std::pair<std::string, std::string> split_assignment(const std::string& flag,
                                                     const std::string& text) {
  std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw CLI::ValidationError(flag, "'" + text + "' is not of the form KEY=VALUE");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void add_static_files_flags(CLI::App& serve, teapot::handlers::static_files_options& o) {
  using teapot::handlers::negotiation_mode;
  serve.add_flag("--listing", o.listing,
                 "List a directory that has no index (HTML, or JSON by Accept); else 403");
  serve.add_flag("--allow-dotfiles", o.allow_dotfiles,
                 "Serve names starting with '.' (by default 403, except /.well-known/)");
  serve.add_flag("--follow-symlinks-outside-root", o.follow_symlinks_outside_root,
                 "Follow symbolic links that lead out of DIR (by default 403)");
  // Callbacks rather than "!--no-x" flags, which the help would show as "--no-x{false}".
  serve.add_flag_callback(
      "--no-nosniff", [&o] { o.nosniff = false; }, "Do not send X-Content-Type-Options: nosniff");
  serve.add_flag_callback(
      "--no-precompressed", [&o] { o.precompressed = false; },
      "Do not serve FILE.br, FILE.zst or FILE.gz in place of FILE");
  serve.add_option("--charset", o.charset, "Charset declared for text types (empty: none)")
      ->type_name("CHARSET")
      ->capture_default_str();
  serve
      .add_option_function<std::vector<std::string>>(
          "--mime",
          [&o](const std::vector<std::string>& items) {
            for (const auto& item : items)
              o.mime_overrides.push_back(split_assignment("--mime", item));
          },
          "Content type for an extension (repeatable), e.g. md=text/markdown")
      ->type_name("EXT=TYPE");
  serve
      .add_option_function<std::vector<std::string>>(
          "--cache-control",
          [&o](const std::vector<std::string>& items) {
            for (const auto& item : items) {
              auto [pattern, value] = split_assignment("--cache-control", item);
              o.cache_control.push_back({pattern, value});
            }
          },
          "Cache-Control by path (repeatable, first match wins); PATTERN is a path prefix "
          "(/assets/) or a glob (*.css)")
      ->type_name("PATTERN=VALUE");
  add_choice_option<negotiation_mode>(
      serve, "--negotiation", o.negotiation,
      {{"lenient", negotiation_mode::lenient},
       {"strict", negotiation_mode::strict},
       {"multiple-choices", negotiation_mode::multiple_choices}},
      "When no variant is acceptable: lenient (serve the default), strict (406), "
      "multiple-choices (406, and 300 on ties)",
      "lenient");
}

void add_serve_flags(CLI::App& serve, serve_flags& f) {
  serve
      .add_option("--config", f.config,
                  "A TOML configuration (see teapot.toml(5)): it then says everything; only "
                  "--listen, --workers and --blocking-threads may stand beside it, and "
                  "override the file's")
      ->type_name("FILE");
  serve.add_option("DIR", f.root, "Directory to serve (default: the working directory)")
      ->type_name("");
  teapot::server_options& o = f.options;
  serve
      .add_option("--listen", o.listen,
                  "Address to listen on, HOST:PORT or [V6]:PORT (repeatable); :PORT is every "
                  "IPv4 interface. Sockets passed by systemd (LISTEN_FDS) replace it")
      ->type_name("ADDRESS")
      ->default_str(o.listen.front());
  serve
      .add_option("--workers", o.workers,
                  "Worker threads, each with its own event loop (0: one per core)")
      ->capture_default_str();
  serve
      .add_option("--blocking-threads", o.blocking_threads,
                  "Threads for work kept off the event loops: password checks, compression of "
                  "large files, handlers' blocking work")
      ->check(
          CLI::Range(teapot::config::min_blocking_threads, teapot::config::max_blocking_threads))
      ->option_text(std::to_string(teapot::config::min_blocking_threads) + "-" +
                    std::to_string(teapot::config::max_blocking_threads))
      ->capture_default_str();
  auto size = [](std::string_view t) { return teapot::config::parse_size(t); };
  auto dur = [](std::string_view t) { return teapot::config::parse_duration(t); };
  teapot::limits& l = o.limits;
  // The defaults shown are the library's own, as it holds them before any flag is parsed.
  const teapot::limits defaults;
  auto by_default = [](const std::string& text) { return " (default " + text + ")"; };
  auto size_default = [&](std::uint64_t n) { return by_default(teapot::config::format_size(n)); };
  auto time_default = [&](std::chrono::milliseconds d) {
    return by_default(teapot::config::format_duration(d));
  };
  add_unit_option(serve, "--max-request-line", l.request_line, size,
                  "Longest request line; 414 past it" + size_default(defaults.request_line),
                  "size");
  add_unit_option(serve, "--max-field-line", l.field_line, size,
                  "Longest header field line; 431 past it" + size_default(defaults.field_line),
                  "size");
  add_unit_option(serve, "--max-header-section", l.header_section, size,
                  "Largest header section; 431 past it" + size_default(defaults.header_section),
                  "size");
  serve.add_option("--max-fields", l.fields, "Most header fields; 431 past it")
      ->capture_default_str();
  add_unit_option(serve, "--max-body", l.body, size,
                  "Largest request body; 413 past it" + size_default(defaults.body), "size");
  add_unit_option(
      serve, "--max-chunk-line", l.chunk_line, size,
      "Longest chunk-size line with extensions; 413 past it" + size_default(defaults.chunk_line),
      "size");
  add_unit_option(serve, "--max-chunk-extensions", l.chunk_extensions, size,
                  "Chunk extensions of one request, all chunks together; 413 past them" +
                      size_default(defaults.chunk_extensions),
                  "size");
  add_unit_option(
      serve, "--header-timeout", l.header_timeout, dur,
      "Time to receive a request head; 408 past it" + time_default(defaults.header_timeout),
      "duration");
  add_unit_option(
      serve, "--body-timeout", l.body_timeout, dur,
      "Longest pause while a body arrives; 408 past it" + time_default(defaults.body_timeout),
      "duration");
  add_unit_option(serve, "--body-min-rate", l.body_min_rate, size,
                  "Slowest average body rate, bytes a second, once the body timeout has passed; "
                  "408 below it (0: none)" +
                      size_default(defaults.body_min_rate),
                  "size");
  add_unit_option(serve, "--keep-alive-timeout", l.keep_alive_timeout, dur,
                  "Idle time before a keep-alive connection is closed" +
                      time_default(defaults.keep_alive_timeout),
                  "duration");
  add_unit_option(serve, "--send-timeout", l.send_timeout, dur,
                  "Time a client may leave a response unread before it is dropped" +
                      time_default(defaults.send_timeout),
                  "duration");
  serve
      .add_option_function<std::string>(
          "--send-buffer",
          [&l](const std::string& text) {
            auto bytes = teapot::config::parse_send_buffer(text);
            if (!bytes) throw CLI::ValidationError("--send-buffer", "'" + text + "' is not a size");
            if (std::string why = teapot::config::check_send_buffer(*bytes); !why.empty())
              throw CLI::ValidationError("--send-buffer", why);
            l.send_buffer = static_cast<std::size_t>(*bytes);
          },
          "Send buffer (SO_SNDBUF) of each connection: what a client that stops reading can "
          "pin in the kernel; auto: the kernel's autotuning (default 128KiB)")
      ->type_name("SIZE");
  add_unit_option(serve, "--drain-timeout", o.drain_timeout, dur,
                  "On SIGTERM/SIGINT, time left to in-flight requests" +
                      time_default(teapot::server_options{}.drain_timeout),
                  "duration");
  serve
      .add_option("--access-log", f.access_log,
                  "Write one line per response to this file, or '-' for standard output "
                  "(default: no access log)")
      ->type_name("FILE");
  add_choice_option<teapot::access_log_format>(serve, "--access-log-format", f.access_log_format,
                                               {{"common", teapot::access_log_format::common},
                                                {"combined", teapot::access_log_format::combined},
                                                {"json", teapot::access_log_format::json}},
                                               "Format of the access log", "combined");
  add_static_files_flags(serve, f.files);
  serve.add_flag("--compress", f.compress,
                 "Compress text responses on the fly (zstd, br, gzip) for clients that accept it");
  serve.add_flag("--metrics", f.metrics,
                 "Count, and serve Prometheus metrics at /metrics and a status page at "
                 "/server-status, to this machine only");
}

// The addresses as bound (port 0 resolved), or as the service manager passed them.
void announce(teapot::server& srv, const std::string& what) {
  for (const std::string& address : srv.addresses())
    srv.error_log().write(teapot::log_level::info, "serving " + what + " on " + address);
}

// The flags that may stand beside --config: where to listen and how many threads, so that one
// file serves on several machines or ports (and tests pick free ports).
bool is_config_override(const std::string& flag) {
  return flag == "--config" || flag == "--help" || flag == "--listen" || flag == "--workers" ||
         flag == "--blocking-threads";
}

void apply_overrides(const serve_flags& f, teapot::config::configuration& c) {
  teapot::server_options& o = c.server;
  if (f.listen_given) o.listen = f.options.listen;
  if (f.workers_given) o.workers = f.options.workers;
  if (f.blocking_threads_given) o.blocking_threads = f.options.blocking_threads;
}

// SIGHUP: the file is read and checked again. A broken file changes nothing (its mistakes go
// to the error log, and the exception tells the server the reload failed); a sound one hands its
// sites and certificates to the running server, whose requests and connections in flight finish
// on the old ones. What only a restart can change is named in a warning.
void reload(const serve_flags& f, const teapot::config::configuration& running,
            const teapot::config::logs& logs, teapot::server& srv) {
  using teapot::log_level;
  teapot::error_log& log = *logs.errors;
  teapot::config::load_result loaded = teapot::config::load_config(f.config);
  if (!loaded.config) {
    for (const auto& e : loaded.errors)
      log.write(log_level::error, "reload: " + teapot::config::format_error(e));
    // The server logs the refusal and tells the service manager (systemctl status shows it).
    const std::size_t n = loaded.errors.size();
    throw std::runtime_error(f.config + " has " + std::to_string(n) +
                             (n == 1 ? " mistake" : " mistakes") + " (logged above)");
  }
  apply_overrides(f, *loaded.config);
  for (const std::string& key : teapot::config::changes_needing_restart(running, *loaded.config))
    log.write(log_level::warn, "reload: " + key + " changed; it needs a restart to take effect");
  // Counting and the metrics' listener are the running server's: they stay as they are.
  loaded.config->metrics.enabled = running.metrics.enabled;
  loaded.config->metrics.listen = running.metrics.listen;
  loaded.config->server.metrics = running.server.metrics;
  auto fresh = teapot::config::build_server(*loaded.config, logs, &srv);
  // First, as it may still fail (a file changed since the check): then nothing is taken.
  // Without certificates (tls_listen removed, which waits for a restart), the running stay.
  if (!loaded.config->server.certificates.empty())
    srv.replace_certificates(loaded.config->server.certificates);
  srv.adopt_sites(*fresh);
  log.set_level(loaded.config->error_log.level);
  log.write(log_level::info, "reload: " + f.config + " loaded; new requests use its sites");
}

// `teapot serve --config FILE`: the file says everything else; a broken file starts nothing.
int run_serve_config(const serve_flags& f) {
  const std::string& file = f.config;
  teapot::config::load_result loaded = teapot::config::load_config(file);
  if (!loaded.config) {
    for (const auto& e : loaded.errors)
      std::fprintf(stderr, "%s\n", teapot::config::format_error(e).c_str());
    return 2;
  }
  apply_overrides(f, *loaded.config);
  const teapot::config::configuration& running = *loaded.config;
  const teapot::config::logs logs = teapot::config::open_logs(running);
  auto srv = teapot::config::build_server(running, logs);
  auto metrics = teapot::config::build_metrics_server(running, *srv, logs);
  srv->on_reload([&] { reload(f, running, logs, *srv); });
  srv->start();
  if (metrics) {
    metrics->start();
    logs.errors->write(teapot::log_level::info,
                       "metrics on http://" + metrics->addresses().front() + running.metrics.path);
  }
  announce(*srv, file);
  srv->run();
  if (metrics) {
    metrics->stop();
    metrics->wait();
  }
  return 0;
}

// Many connections and the workers' open-file caches each take a descriptor: the soft limit
// (often 1024) is raised to the hard one, as a server run by hand would otherwise need ulimit.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

int run_serve(serve_flags& f) {
  raise_descriptor_limit();
  if (!f.config.empty()) return run_serve_config(f);
  if (!f.access_log.empty()) {
    f.options.access_log.file = f.access_log == "-" ? teapot::log_file::standard_output()
                                                    : teapot::log_file::open(f.access_log);
    f.options.access_log.format = f.access_log_format;
  }
  f.options.metrics = f.metrics;
  teapot::server srv(f.options);
  if (f.compress) srv.default_site().set_compression({.enabled = true});
  if (f.metrics) {
    // Exact routes: they answer before the files' prefix.
    srv.routes().get("/metrics", teapot::handlers::metrics_endpoint(srv));
    srv.routes().get("/server-status", teapot::handlers::status_page_endpoint(srv));
  }
  f.files.root = f.root;
  f.files.log = [&srv](std::string_view line) {
    srv.error_log().write(teapot::log_level::warn, line);
  };
  teapot::config::mount_static_files(srv.routes(), f.files);
  srv.start();
  std::filesystem::path shown = std::filesystem::absolute(f.root).lexically_normal();
  if (!shown.has_filename() && shown.has_relative_path()) shown = shown.parent_path();  // "/a/"
  announce(srv, shown.string());
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

struct cert_flags {
  std::string dir;
  std::vector<std::string> hosts;  // none given: localhost, as a developer browses it
  int days = 365;
  bool force = false;
};

// `teapot cert DIR`: a self-signed certificate and its key, for a development server.
int run_cert(cert_flags f) {
  if (f.days < 1) throw std::runtime_error("--days must be at least 1");
  if (f.hosts.empty()) f.hosts = {"localhost", "127.0.0.1", "::1"};
  teapot::tls::write_pem_files(f.dir, teapot::tls::make_self_signed(f.hosts, f.days), f.force);
  std::printf("%s/cert.pem and %s/key.pem: self-signed, for %zu host(s), valid %d days\n",
              f.dir.c_str(), f.dir.c_str(), f.hosts.size(), f.days);
  return 0;
}

void add_cert_flags(CLI::App& cert, cert_flags& f) {
  cert.add_option("DIR", f.dir, "Directory to write cert.pem and key.pem into")
      ->required()
      ->type_name("");
  cert.add_option("--host", f.hosts, "Host name or IP address the certificate is for (repeatable)")
      ->type_name("NAME")
      ->default_str("localhost 127.0.0.1 ::1");
  cert.add_option("--days", f.days, "Days the certificate is valid")
      ->option_text("N")
      ->capture_default_str();
  cert.add_flag("--force", f.force, "Replace cert.pem and key.pem if they exist");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"teapot: an HTTP server that speaks every status code"};
  app.formatter(std::make_shared<help_formatter>());
  app.set_version_flag("--version", teapot::app::version_text,
                       "Print the version, the commit built and the linked libraries' versions");
  app.require_subcommand(1);

  serve_flags serve;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "Serve a directory over HTTP/1.1 (and HTTPS and HTTP/2 from a configuration file)");
  add_serve_flags(*serve_cmd, serve);

  int code = 0;
  std::string lang = "en";
  std::string config_file;
  CLI::App* check_cmd = app.add_subcommand("check", "Validate a configuration file");
  check_cmd->add_option("FILE", config_file, "The TOML configuration")->required();

  CLI::App* explain_cmd = app.add_subcommand("explain", "Explain an HTTP status code");
  explain_cmd->add_option("CODE", code, "Status code, e.g. 404")->required();
  explain_cmd->add_option("--lang", lang, "Language of the text")
      ->transform(CLI::IsMember({"en", "fr"}, CLI::ignore_case))  // language tags ignore case
      ->option_text("en|fr")
      ->capture_default_str();

  cert_flags cert;
  CLI::App* cert_cmd =
      app.add_subcommand("cert", "Make a self-signed certificate and key for development");
  add_cert_flags(*cert_cmd, cert);

  CLI11_PARSE(app, argc, argv);
  try {
    if (*serve_cmd) {
      if (!serve.config.empty()) {
        for (const CLI::Option* o : serve_cmd->get_options())
          if (o->count() > 0 && !is_config_override(o->get_name())) {
            std::fprintf(stderr, "teapot: %s cannot be combined with --config\n",
                         o->get_name().c_str());
            return 2;
          }
      }
      serve.listen_given = serve_cmd->count("--listen") > 0;
      serve.workers_given = serve_cmd->count("--workers") > 0;
      serve.blocking_threads_given = serve_cmd->count("--blocking-threads") > 0;
      return run_serve(serve);
    }
    if (*explain_cmd) return run_explain(code, lang);
    if (*check_cmd) return teapot::config::run_check(config_file, stdout, stderr);
    if (*cert_cmd) return run_cert(cert);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "teapot: %s\n", e.what());
    return 1;
  }
  return 0;
}
