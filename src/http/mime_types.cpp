#include "http/mime_types.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "base/ascii.h"

namespace teapot::http {
namespace {

constexpr std::string_view octet_stream = "application/octet-stream";

struct mime_entry {
  std::string_view extension;  // lower case
  std::string_view type;
};

// Sorted by extension for bisection (checked below). Types follow the IANA media type
// registry; the charset is given wherever the type is textual, but for application/json, whose
// registration defines no charset parameter (RFC 8259 §11: JSON is UTF-8), so that a .json
// file and response::json() send the same type.
constexpr mime_entry table[] = {
    {"7z", "application/x-7z-compressed"},
    {"aac", "audio/aac"},
    {"apng", "image/apng"},
    {"atom", "application/atom+xml; charset=utf-8"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"br", "application/x-brotli"},
    {"bz2", "application/x-bzip2"},
    {"cjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"epub", "application/epub+zip"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"heic", "image/heic"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/vnd.microsoft.icon"},
    {"ics", "text/calendar; charset=utf-8"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"jsonld", "application/ld+json; charset=utf-8"},
    {"m4a", "audio/mp4"},
    {"manifest", "application/manifest+json; charset=utf-8"},
    {"map", "application/json"},
    {"md", "text/markdown; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"opus", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"rss", "application/rss+xml; charset=utf-8"},
    {"rtf", "application/rtf"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"tar", "application/x-tar"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"toml", "application/toml; charset=utf-8"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"vtt", "text/vtt; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"weba", "audio/webm"},
    {"webm", "video/webm"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xhtml", "application/xhtml+xml; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"xsl", "application/xslt+xml; charset=utf-8"},
    {"xz", "application/x-xz"},
    {"yaml", "application/yaml; charset=utf-8"},
    {"yml", "application/yaml; charset=utf-8"},
    {"zip", "application/zip"},
    {"zst", "application/zstd"},
};

constexpr bool is_sorted_and_unique() {
  for (std::size_t i = 1; i < std::size(table); ++i)
    if (!(table[i - 1].extension < table[i].extension)) return false;
  return true;
}
static_assert(is_sorted_and_unique(), "the table is searched by bisection");

constexpr std::size_t longest_extension() {
  std::size_t n = 0;
  for (const auto& e : table)
    n = std::max(n, e.extension.size());
  return n;
}

}  // namespace

std::string_view content_type_for_extension(std::string_view extension) noexcept {
  // Lower-case into a small buffer: anything longer than the longest known extension is
  // unknown anyway.
  std::array<char, longest_extension()> lower{};
  if (extension.empty() || extension.size() > lower.size()) return octet_stream;
  for (std::size_t i = 0; i < extension.size(); ++i)
    lower[i] = base::ascii::to_lower(extension[i]);
  const std::string_view key(lower.data(), extension.size());
  const auto* end = std::end(table);
  const auto* it =
      std::lower_bound(std::begin(table), end, key,
                       [](const mime_entry& e, std::string_view k) { return e.extension < k; });
  return it != end && it->extension == key ? it->type : octet_stream;
}

std::string_view content_type_for_path(std::string_view path) noexcept {
  const std::size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return octet_stream;
  return content_type_for_extension(name.substr(dot + 1));
}

}  // namespace teapot::http
