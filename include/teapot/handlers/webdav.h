// WebDAV (RFC 4918, classes 1 and 2) over a directory: GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE,
// PROPFIND, PROPPATCH, LOCK, UNLOCK and OPTIONS below a path prefix, with the binding loops of
// RFC 5842 answered 208 or 508. Dead properties and locks live in an SQLite database. Every
// file operation runs on the blocking-work pool; request bodies of PUT are streamed to disk and
// responses of PROPFIND are streamed to the client.
//
//   handlers::webdav_options dav;
//   dav.prefix = "/dav/";
//   dav.root = "/srv/dav";
//   handlers::mount_webdav(site.routes(), dav);
//
// The server must accept the WebDAV methods (server_options::methods, see webdav_methods).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/router.h"

namespace teapot::handlers {

struct webdav_options {
  // The URL path the area answers below, with its trailing '/' ("/dav/"; "/" for a whole site).
  std::string prefix = "/";
  // The directory the area maps to. Names starting with ".teapot-" are the server's (the
  // database, temporary files of uploads in progress): they are never listed, and any request
  // naming one gets 403.
  std::filesystem::path root{};
  // Only GET, HEAD, OPTIONS, PROPFIND (and LOCK discovery): every write method gets 403.
  bool read_only = false;
  // The most bytes the files below root may hold together; a write past it gets 507.
  std::optional<std::uint64_t> quota{};
  // PROPFIND, COPY and DELETE with "Depth: infinity" on a collection. When off, PROPFIND gets
  // 403 with the DAV:propfind-finite-depth precondition, and COPY or DELETE of a collection
  // with members gets 403.
  bool depth_infinity = true;
  // A LOCK's Timeout is bounded by this; "Infinite" is granted as this.
  std::chrono::seconds max_lock_timeout{3600};
  // A COPY, MOVE, DELETE or PROPFIND still running after this gets "102 Processing" on
  // HTTP/1.1, and again at this interval, until its final response.
  std::chrono::milliseconds processing_interval{5000};
  // PUT, DELETE and MOVE must carry If-Match or If-Unmodified-Since (428 otherwise), so that
  // no client overwrites what it has not seen (RFC 6585 §3).
  bool require_if_match = false;
  // The SQLite database of dead properties and locks; empty: root / ".teapot-dav.sqlite3".
  std::filesystem::path database{};
  // Request bodies of PROPFIND, PROPPATCH and LOCK: larger ones get 413.
  std::size_t max_xml_body = 1 << 20;
};

// The methods a WebDAV area takes, for server_options::methods.
const std::vector<std::string>& webdav_methods();

// Routes every method of webdav_methods() below options.prefix to one WebDAV handler. Throws
// std::system_error when root is not a directory, std::runtime_error when the database cannot
// be opened or is not one of ours, and std::invalid_argument for an option that cannot be
// honoured. Temporary files left by a
// previous run (an upload cut short by a crash) are removed here.
void mount_webdav(router& routes, webdav_options options);

}  // namespace teapot::handlers
