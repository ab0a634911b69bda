#include "version.h"

#include <brotli/encode.h>
#include <expat.h>
#include <sqlite3.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <string>
#include <utility>

namespace teapot::app {
namespace {

std::string dotted(unsigned major, unsigned minor, unsigned patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

// Brotli packs its version in one number: major << 24 | minor << 12 | patch.
std::string brotli_version() {
  const std::uint32_t v = BrotliEncoderVersion();
  return dotted(v >> 24U, (v >> 12U) & 0xFFFU, v & 0xFFFU);
}

std::string expat_version() {
  const XML_Expat_Version v = XML_ExpatVersionInfo();
  return dotted(static_cast<unsigned>(v.major), static_cast<unsigned>(v.minor),
                static_cast<unsigned>(v.micro));
}

}  // namespace

std::string version_text() {
  std::string out = "teapot " TEAPOT_VERSION " (commit ";
  out += build_commit;
  out += ")";
  const std::pair<const char*, std::string> libraries[] = {
      {"zlib", zlibVersion()},    {"brotli", brotli_version()},     {"zstd", ZSTD_versionString()},
      {"expat", expat_version()}, {"sqlite", sqlite3_libversion()},
  };
  for (const auto& [name, version] : libraries)
    out += std::string("\n") + name + " " + version;
  return out;
}

}  // namespace teapot::app
