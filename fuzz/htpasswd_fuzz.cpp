// The htpasswd reader (handlers/basic_auth) on arbitrary text, and against the configuration
// loader's own reading of the same file: the loader refuses a file (so `teapot check` and a
// reload fail) exactly when the handler would find a bad line in it, or a file that passes
// the check would lock users out at run time, or the other way round.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/load.h"
#include "fuzz_support.h"
#include "handlers/basic_auth/htpasswd.h"
#include "scratch_folder.h"

namespace {

using teapot::fuzz::check;

constexpr std::string_view configuration = R"([[sites]]
hosts = ["example.com"]
root = "site"
[sites.auth]
htpasswd = "htpasswd"
)";

bool loader_accepts(std::string_view file) {
  std::ofstream(teapot::fuzz::scratch_folder() / "htpasswd", std::ios::binary | std::ios::trunc)
      << file;
  const teapot::config::load_result r = teapot::config::load_config_text(
      configuration, teapot::fuzz::scratch_folder() / "teapot.toml");
  return r.config.has_value();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::filesystem::create_directories(teapot::fuzz::make_scratch_folder("htpasswd") / "site");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = teapot::fuzz::as_text(data, size);
  const teapot::handlers::basic_auth::htpasswd_file f =
      teapot::handlers::basic_auth::parse_htpasswd(text);
  const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) +
                            (text.empty() || text.back() == '\n' ? 0 : 1);
  check(f.users.size() + f.errors.size() <= lines);
  for (const auto& [user, hash] : f.users) {
    check(!user.empty() && user.find(':') == std::string::npos);
    check(user.find('\n') == std::string::npos && hash.find('\n') == std::string::npos);
    check(teapot::handlers::basic_auth::is_supported_hash(hash));
  }
  std::size_t previous = 0;
  for (const auto& e : f.errors) {
    check(e.line >= 1 && e.line <= lines && e.line > previous && !e.what.empty());
    previous = e.line;
  }
  check(loader_accepts(text) == f.errors.empty());
  return 0;
}
