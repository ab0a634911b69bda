// Logs: a file written by a thread of its own, the error log (levelled messages) and the
// access log's options (one line per response).
//
//   teapot::server_options o;
//   o.access_log = {teapot::log_file::open("/var/log/teapot/access.log"),
//                   teapot::access_log_format::json};
//   o.error_log = std::make_shared<teapot::error_log>(teapot::log_file::standard_error(),
//                                                     teapot::log_level::warn);
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

namespace teapot {

// Where log lines go. Writers only queue: a thread owned by the log_file writes the queue
// at least once a second (at once for urgent lines), so that a slow disk or a full pipe
// never holds up a worker's event loop. Past 64 MiB queued, lines are dropped (and the count
// reported on standard error) rather than waited for. Thread-safe.
class log_file {
 public:
  // Appends to the file at path, created (mode 0644) when missing. Throws std::system_error
  // when it cannot be opened.
  static std::shared_ptr<log_file> open(const std::filesystem::path& path);
  // The process's standard output or standard error: never closed, and reopen() keeps them.
  static std::shared_ptr<log_file> standard_output();
  static std::shared_ptr<log_file> standard_error();

  // Writes what is queued, then ends the thread.
  ~log_file();
  log_file(const log_file&) = delete;
  log_file& operator=(const log_file&) = delete;

  // Queues whole lines, each ending in '\n'. urgent wakes the writer now.
  void write(std::string_view lines, bool urgent = false);
  // Opens the file again by its path before the next write: after a log rotation has moved
  // it, new lines go to a new file at the old name. A failure keeps the old descriptor.
  void reopen();
  // Blocks until every line queued before the call is written.
  void flush();
  // Lines write() dropped since the file was opened, because the writer fell too far behind
  // (the disk too slow): the metrics report it. Any thread.
  std::uint64_t lines_dropped() const;
  // The path given to open(); empty for standard output and error.
  const std::filesystem::path& path() const noexcept;

 private:
  struct impl;
  explicit log_file(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

enum class log_level : std::uint8_t { debug, info, warn, error };

// "debug", "info", "warn", "error".
std::string_view to_string(log_level level) noexcept;

// Messages about the server's own life: start, stop, reloads, failing handlers, refused
// credentials. Each is one line, "2025-01-02T03:04:05Z [warn] message", in UTC; a control
// character in a message is written as \xNN so that a message can never forge a second line.
// Thread-safe.
class error_log {
 public:
  explicit error_log(std::shared_ptr<log_file> file, log_level least = log_level::info);

  // Messages below the level are not written. set_level may be called from any thread.
  bool is_enabled(log_level level) const noexcept { return level >= least_.load(); }
  void set_level(log_level least) noexcept { least_.store(least); }
  void write(log_level level, std::string_view message) const;
  const std::shared_ptr<log_file>& file() const noexcept { return file_; }

 private:
  std::shared_ptr<log_file> file_;
  std::atomic<log_level> least_;
};

enum class access_log_format : std::uint8_t {
  // Common Log Format: client - - [time] "request line" status bytes
  common,
  // Common, then "referer" "user-agent" (Apache's and nginx's combined)
  combined,
  // One JSON object per line, in UTF-8: time, client, host, request, method, target,
  // protocol, status, bytes, duration (seconds), referer, user_agent (see docs/config.md)
  json,
};

// One line per response, when the response's head and body have been handed to the
// connection; "bytes" counts the body, as Apache's %b and nginx's $body_bytes_sent.
struct access_log_options {
  std::shared_ptr<log_file> file{};  // null: no access log
  access_log_format format = access_log_format::combined;
};

}  // namespace teapot
