// The configuration loader on arbitrary TOML text. The files a configuration may name (a
// site root, an htpasswd file, error pages, the maintenance trigger's folder) exist in a
// scratch folder made once per run, laid out as examples/ is, so that a valid configuration
// gets past the checks of the files it names and the fuzzer reaches the whole schema. Checks
// the loader's promise: a complete model or errors, never both, each error with a message.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/load.h"
#include "fuzz_support.h"
#include "scratch_folder.h"

namespace {

using teapot::fuzz::check;

void write(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::filesystem::path& dir = teapot::fuzz::make_scratch_folder("config");
  std::filesystem::create_directories(dir / "site");
  write(dir / "site/index.html", "<!DOCTYPE html><title>Hello</title>\n");
  write(dir / "config/errors/404.html", "<!DOCTYPE html><title>Not found</title>\n");
  write(dir / "config/errors/413.html", "<!DOCTYPE html><title>Too large</title>\n");
  write(dir / "config/htpasswd",
        "alice:$2y$10$m1tQSL7TdV2DGZPQnJNxUO6Es6VSXbqpRb3edt7YpPWIYGrvdvLcK\n"
        "bob:$6$examplesalt$/LoGJLpyEqZhbv.6S6Gd8/mPvj.F93AMN0M1e28npBY35IdYaYkZQaFdzN6G5A"
        "xzqy47ySl0XCoQ4/2BGRK.q1\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = teapot::fuzz::as_text(data, size);
  // The loader reads the files a configuration names, as it must; a device or a kernel file
  // named there (/dev/zero as an htpasswd file) reads forever, which is the operator's doing,
  // not a flaw of the parser.
  for (std::string_view special : {"/dev", "/proc", "/sys"})
    if (text.find(special) != std::string_view::npos) return 0;
  const teapot::config::load_result r =
      teapot::config::load_config_text(text, teapot::fuzz::scratch_folder() / "teapot.toml");
  check(r.config.has_value() != !r.errors.empty());
  for (const teapot::config::config_error& e : r.errors) {
    check(!e.message.empty());
    check(!teapot::config::format_error(e).empty());
  }
  return 0;
}
