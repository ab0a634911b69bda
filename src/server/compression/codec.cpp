#include "server/compression/codec.h"

namespace teapot::srv::compression {

std::string_view name_of(coding c) noexcept {
  switch (c) {
    case coding::gzip:
      return "gzip";
    case coding::br:
      return "br";
    case coding::zstd:
      return "zstd";
  }
  return {};
}

std::string_view etag_suffix(coding c) noexcept {
  switch (c) {
    case coding::gzip:
      return "gz";
    case coding::br:
      return "br";
    case coding::zstd:
      return "zst";
  }
  return {};
}

std::optional<coding> coding_named(std::string_view name) noexcept {
  for (coding c : {coding::gzip, coding::br, coding::zstd})
    if (name == name_of(c)) return c;
  return std::nullopt;
}

level_range levels_of(coding c) noexcept {
  switch (c) {
    case coding::gzip:
      return {1, 9};
    case coding::br:
      return {0, 11};
    case coding::zstd:
      return {1, 19};  // 20..22 need --ultra's memory: not for a server's hot path
  }
  return {0, 0};
}

bool compress(coding c, int level, std::string_view in, std::string& out) {
  switch (c) {
    case coding::gzip:
      return gzip_compress(level, in, out);
    case coding::br:
      return brotli_compress(level, in, out);
    case coding::zstd:
      return zstd_compress(level, in, out);
  }
  return false;
}

}  // namespace teapot::srv::compression
