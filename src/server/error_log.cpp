#include <cstdio>
#include <ctime>
#include <string>

#include "base/ascii.h"
#include "teapot/log.h"

namespace teapot {

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "error";
}

error_log::error_log(std::shared_ptr<log_file> file, log_level least)
    : file_(std::move(file)), least_(least) {}

void error_log::write(log_level level, std::string_view message) const {
  if (!is_enabled(level) || !file_) return;
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string line(stamp, n);
  line += " [";
  line += to_string(level);
  line += "] ";
  for (char c : message) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      line += "\\x";
      base::ascii::append_hex(line, u, 2);
    } else {
      line.push_back(c);
    }
  }
  line.push_back('\n');
  file_->write(line, true);
}

}  // namespace teapot
