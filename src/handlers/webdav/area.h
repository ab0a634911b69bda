// One WebDAV area: its options, its directory, its database, and how a request's path maps to
// a file. Shared by every worker thread and the blocking-work pool; what changes (the bytes in
// use) is atomic, the store guards itself.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "handlers/webdav/store.h"
#include "teapot/handlers/webdav.h"

namespace teapot::handlers::webdav {

// The prefix of every name that is the server's own: the database and uploads in progress.
inline constexpr std::string_view reserved_prefix = ".teapot-";

// What every area on one directory shares, whichever generation of the configuration made
// it: a reload mounts the area again while requests of the old one still run, and both must
// count the same bytes, see the same locks and wait for the same mutexes.
struct root_state {
  std::string root;
  std::unique_ptr<store> db;
  std::atomic<std::uint64_t> used{0};  // bytes of the files below root, for the quota
  // Held from the last check of an upload's conditions to its rename, so that two uploads
  // with If-Match on the same tag cannot both replace it (RFC 9110 §13.1.1: no lost update).
  std::mutex commit_mutex;
  // Every method that writes holds it shared from its look at the locks to its change; LOCK
  // and UNLOCK hold it alone, so that no lock is granted between a write's check and its act,
  // and two exclusive LOCKs of one resource cannot both be granted.
  std::shared_mutex locks;
};

// The state of root, made (database opened, temporaries of a crashed run removed, bytes
// counted) by the first area on it in this process. Throws std::invalid_argument when another
// root already uses that database (properties and locks are keyed by paths in the area).
std::shared_ptr<root_state> root_state_for(const std::string& root,
                                           const std::filesystem::path& database);

struct area {
  webdav_options options;
  std::string root;  // the directory, without a trailing '/'
  std::shared_ptr<root_state> shared;
  store* db = nullptr;  // shared->db

  // The area's path of a request path below options.prefix: "/" for the prefix itself (with
  // or without its '/'), "/a/b" for "<prefix>a/b/". nullopt when path is not in the area.
  std::optional<std::string> area_path(std::string_view request_path) const;
  // The request path of an area path, collections with their trailing '/'.
  std::string request_path(std::string_view apath, bool collection) const;
  std::string fs_path(std::string_view apath) const { return root + std::string(apath); }
  // The same without a trailing '/' for the area's root, to append "/name" to.
  std::string dir_path(std::string_view apath) const {
    return apath == "/" ? root : fs_path(apath);
  }
  // True when the bytes would pass the quota, reserving them when they do.
  bool reserve(std::uint64_t bytes);
  void release(std::uint64_t bytes) noexcept;
};

// True when a segment of apath starts with reserved_prefix.
bool is_reserved(std::string_view apath) noexcept;
// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "/".
std::string_view parent_of(std::string_view apath) noexcept;
// "/a/b" -> "b"; "/" -> "".
std::string_view name_of(std::string_view apath) noexcept;
// "/" + "x" -> "/x"; "/a" + "x" -> "/a/x".
std::string child_of(std::string_view apath, std::string_view name);
// True when inner is outer or below it.
bool is_within(std::string_view inner, std::string_view outer) noexcept;

// What a path is on disk.
struct resource_info {
  bool exists = false;
  bool collection = false;
  bool symlink = false;  // the name itself is a symbolic link (followed for the rest)
  std::uint64_t size = 0;
  struct timespec mtime {};
  std::int64_t created = 0;  // seconds; the birth time where the file system keeps one
  std::uint64_t device = 0, inode = 0;
  std::string etag;  // strong, quotes included; empty for a collection
};
// The strong entity tag of a file, the same as getetag reports and GET sends.
std::string file_etag(const struct stat& st);
// Follows symbolic links, as every method but DELETE and MOVE of the link itself does.
resource_info stat_resource(const std::string& fs_path);

// Removes the temporaries an upload left when the server stopped in the middle of it, and
// returns the bytes of the files below root (the quota's starting point).
std::uint64_t sweep_and_measure(const std::string& root);

}  // namespace teapot::handlers::webdav
