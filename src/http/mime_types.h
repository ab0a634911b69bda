// Content types by file extension, for static files. Text types, JavaScript, JSON, XML and SVG
// come with "; charset=utf-8": teapot always declares the charset of text it serves.
#pragma once

#include <string_view>

namespace teapot::http {

// The content type for a file extension given without its dot ("html", "tar", "woff2"),
// compared case-insensitively. An unknown or empty extension gives
// "application/octet-stream". The view points into a static table; no allocation.
std::string_view content_type_for_extension(std::string_view extension) noexcept;

// The content type for a file name or path, from the extension of its last segment
// ("/css/site.CSS" → "text/css; charset=utf-8"). A name without a dot, or whose only dot starts
// it (".profile"), has no extension.
std::string_view content_type_for_path(std::string_view path) noexcept;

}  // namespace teapot::http
