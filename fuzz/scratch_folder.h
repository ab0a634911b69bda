// A scratch folder per fuzzing process, for the targets whose parser reads files. A run that
// ends on a finding (abort) or that replays single inputs leaves its folder behind, so each
// process first removes the folders of processes that are gone.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace teapot::fuzz {

inline std::filesystem::path& scratch_folder() {
  static std::filesystem::path dir;
  return dir;
}

inline void remove_scratch_folder() {
  std::error_code ec;
  std::filesystem::remove_all(scratch_folder(), ec);
}

// Makes <temp>/teapot-fuzz-<name>-<pid> and removes it at exit.
inline const std::filesystem::path& make_scratch_folder(std::string_view name) {
  const std::filesystem::path temp = std::filesystem::temp_directory_path();
  const std::string prefix = "teapot-fuzz-" + std::string(name) + "-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(temp, ec)) {
    const std::string file = entry.path().filename().string();
    if (!file.starts_with(prefix)) continue;
    const long pid = std::strtol(file.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      std::filesystem::remove_all(entry.path(), ec);
  }
  scratch_folder() = temp / (prefix + std::to_string(::getpid()));
  remove_scratch_folder();
  std::filesystem::create_directories(scratch_folder());
  std::atexit(remove_scratch_folder);
  return scratch_folder();
}

}  // namespace teapot::fuzz
