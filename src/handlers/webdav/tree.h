// Walks of a directory tree for DELETE, COPY and MOVE, on the blocking-work pool. Symbolic
// links are bindings (RFC 5842): DELETE unbinds the link and leaves its target alone; COPY
// follows a link to a collection, and meets a loop when it reaches a collection it has
// already visited.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "handlers/webdav/area.h"

namespace teapot::handlers::webdav {

// Removes apath and everything below it, members before their collection. What could not be
// removed is appended to failed (area paths); a collection that keeps a member is left too,
// and not reported (RFC 4918 §9.6.1: its failure is implied). With removed, every path that
// is gone is appended there (for a partial failure's bookkeeping).
void delete_tree(area& a, const std::string& apath, std::vector<std::string>& failed,
                 std::vector<std::string>* removed = nullptr);

enum class copy_result : unsigned char {
  done,
  partial,   // some members failed (listed)
  no_space,  // quota, ENOSPC or EDQUOT: what was copied has been removed again
  loop,      // a collection met twice through bindings, without DAV: bind (508)
};

struct copy_request {
  std::string from, to;  // area paths
  bool deep = true;      // Depth: infinity; else only the collection itself (Depth: 0)
  bool bind = false;     // the client sent "DAV: bind": a looping member is copied as the link
};

// Copies a file or a tree; to must not exist. Files are copied to a temporary name, synced,
// then renamed, so that a reader never sees a half-copied file.
copy_result copy_tree(area& a, const copy_request& r, std::vector<std::string>& failed);

}  // namespace teapot::handlers::webdav
