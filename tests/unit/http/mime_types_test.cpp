#include "http/mime_types.h"

#include <gtest/gtest.h>

#include <string_view>

namespace {

using teapot::http::content_type_for_extension;
using teapot::http::content_type_for_path;

struct mime_case {
  std::string_view extension;
  std::string_view type;
};

constexpr mime_case mime_cases[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    // RFC 8259 §11: application/json defines no charset parameter (JSON is UTF-8).
    {"json", "application/json"},
    {"map", "application/json"},
    {"xml", "application/xml; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/vnd.microsoft.icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"HTML", "text/html; charset=utf-8"},
    {"Png", "image/png"},
    {"WOFF2", "font/woff2"},
    {"exe", "application/octet-stream"},
    {"", "application/octet-stream"},
    {"htmlx", "application/octet-stream"},
    {"a-very-long-extension-name", "application/octet-stream"},
};

TEST(content_type_for_extension, table) {
  for (const auto& c : mime_cases)
    EXPECT_EQ(content_type_for_extension(c.extension), c.type) << c.extension;
}

// Whether a textual type is given as it should be: with "; charset=utf-8", but application/json,
// whose registration defines no charset parameter (RFC 8259 §11).
bool declares_charset_as_registered(std::string_view type) {
  if (type.starts_with("application/json")) return type == "application/json";
  return type.ends_with("; charset=utf-8");
}

TEST(content_type_for_extension, every_textual_type_declares_utf8_where_its_type_has_a_charset) {
  // Walk every extension of one to three lower-case letters or digits, then the longer ones and
  // check what the table returns.
  int textual = 0;
  char ext[5];
  for (int len = 1; len <= 3; ++len) {
    long combinations = 1;
    for (int i = 0; i < len; ++i)
      combinations *= 36;
    for (long n = 0; n < combinations; ++n) {
      long v = n;
      for (int i = 0; i < len; ++i, v /= 36)
        ext[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[v % 36];
      const std::string_view type =
          content_type_for_extension({ext, static_cast<std::size_t>(len)});
      const bool is_text = type.starts_with("text/") || type.find("json") != type.npos ||
                           type.find("xml") != type.npos || type.find("javascript") != type.npos;
      if (!is_text) continue;
      ++textual;
      EXPECT_TRUE(declares_charset_as_registered(type))
          << std::string_view(ext, len) << " " << type;
    }
  }
  for (std::string_view longer :
       {"html", "json", "jsonld", "yaml", "toml", "atom", "xhtml", "manifest", "webmanifest"}) {
    ++textual;
    EXPECT_TRUE(declares_charset_as_registered(content_type_for_extension(longer))) << longer;
  }
  EXPECT_GT(textual, 15);
}

TEST(content_type_for_path, uses_the_extension_of_the_last_segment) {
  EXPECT_EQ(content_type_for_path("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for_path("/css/site.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for_path("archive.tar.gz"), "application/gzip");
  EXPECT_EQ(content_type_for_path("/a.dir/README"), "application/octet-stream");
  EXPECT_EQ(content_type_for_path("/home/.profile"), "application/octet-stream");
  EXPECT_EQ(content_type_for_path("/file."), "application/octet-stream");
  EXPECT_EQ(content_type_for_path(""), "application/octet-stream");
}

TEST(content_type_for_extension, returns_views_into_one_table) {
  EXPECT_EQ(content_type_for_extension("jpg").data(), content_type_for_extension("JPG").data());
}

}  // namespace
