// Dead properties and locks of a WebDAV area, behind an interface so that locks can later live
// in a store shared by several servers. Paths are the area's decoded paths: "/" for its root,
// "/a/b" for a member (no trailing '/', even for a collection). Every member may be called from
// any thread at once; calls that change several rows are atomic.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "handlers/webdav/dav_requests.h"
#include "handlers/webdav/xml.h"

namespace teapot::handlers::webdav {

struct dead_property {
  xml_name name;
  std::string value_xml;  // as read_proppatch gave it
};

using lock_clock = std::chrono::system_clock;

struct lock_record {
  std::string token;  // "urn:uuid:...", as sent in Lock-Token (without the angle brackets)
  std::string root;   // the path the lock was taken on
  bool exclusive = true;
  bool infinite = false;  // Depth: infinity
  std::string owner_xml;
  std::chrono::seconds timeout{0};  // as granted, for the Timeout of lockdiscovery
  lock_clock::time_point expires;
};

class store {
 public:
  virtual ~store() = default;

  // --- dead properties
  virtual std::vector<dead_property> properties(std::string_view path) = 0;
  // Applies every instruction or none (RFC 4918 §9.2). Removing an absent property succeeds.
  virtual void apply(std::string_view path, std::span<const proppatch_instruction> patch) = 0;
  // The properties of from (and, when deep, of every path below it) given to the same place
  // below to, replacing what to had there.
  virtual void copy_properties(std::string_view from, std::string_view to, bool deep) = 0;
  // The same moved, and nothing left at from.
  virtual void move_properties(std::string_view from, std::string_view to) = 0;
  // Forgets the properties of path and of every path below it.
  virtual void remove_properties(std::string_view path) = 0;

  // --- locks (expired ones are never returned, and dropped as they are met)
  // Locks whose scope takes in path: on path itself, or on an ancestor with Depth infinity.
  virtual std::vector<lock_record> locks_covering(std::string_view path,
                                                  lock_clock::time_point now) = 0;
  // Locks on paths strictly below path.
  virtual std::vector<lock_record> locks_below(std::string_view path,
                                               lock_clock::time_point now) = 0;
  virtual std::optional<lock_record> find_lock(std::string_view token,
                                               lock_clock::time_point now) = 0;
  virtual void add_lock(const lock_record& lock) = 0;
  // New expiry and timeout; false when the token names no live lock.
  virtual bool refresh_lock(std::string_view token, std::chrono::seconds timeout,
                            lock_clock::time_point now) = 0;
  virtual bool remove_lock(std::string_view token) = 0;
  // Drops every lock on path and below (after DELETE, or from the source of a MOVE).
  virtual void remove_locks(std::string_view path) = 0;
};

// One database file, created when absent, in WAL mode. Throws std::runtime_error when it
// cannot be opened or is not a database of ours.
std::unique_ptr<store> open_sqlite_store(const std::filesystem::path& file);

}  // namespace teapot::handlers::webdav
