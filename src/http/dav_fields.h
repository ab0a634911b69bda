// The other request fields of WebDAV (RFC 4918 §10): Depth, Overwrite, Timeout, and the
// Destination URI (also the form of an If field's Resource-Tag), as pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::http {

enum class depth : unsigned char { zero, one, infinity };

// §10.2: "0", "1" or "infinity" (case-insensitive); nullopt for anything else (400). A missing
// field is the caller's default.
std::optional<depth> parse_depth(std::string_view value) noexcept;

// §10.6: "T" or "F" (case-insensitive); nullopt for anything else (400).
std::optional<bool> parse_overwrite(std::string_view value) noexcept;

// §10.7: a list of "Second-N" (N up to 2^32 - 1) and "Infinite", by preference. The first the
// server understands is taken: nullopt for Infinite, a count of seconds otherwise; a field
// with nothing understood or not matching the grammar is treated as absent (the caller's
// default), as the RFC lets a server ignore it. Values past 2^32-1 are clamped.
std::optional<std::chrono::seconds> parse_timeout(std::string_view value,
                                                  std::chrono::seconds absent) noexcept;

// A Destination (§10.3) or a Resource-Tag: an absolute URI ("http://host:8080/a%20b") or an
// absolute path ("/a%20b"). authority is the URI's host[:port] as written, empty for a path;
// scheme in lower case, empty for a path. The path is decoded and normalized as a request's
// target is (http/path.h): a query or fragment is dropped, dot segments removed.
struct uri_target {
  std::string scheme;
  std::string authority;
  std::string path;
};
// nullopt: not a URI of that form, or a path that normalization refuses (400).
std::optional<uri_target> parse_uri_target(std::string_view value);

}  // namespace teapot::http
