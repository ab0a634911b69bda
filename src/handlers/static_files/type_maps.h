// A type map file (http/type_map.h) read for a request: its variants, each located below the
// root and told apart from a variant that would negotiate again (RFC 2295 §8.1: 506).
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "handlers/static_files/policy.h"
#include "http/type_map.h"

namespace teapot::handlers::static_files {

struct map_variant {
  http::type_map_variant entry;
  std::string relative;  // below the root: the map's directory joined with entry.uri
  // Negotiable itself: another map (".var"), or a name that is no file but has variant files
  // of its own. Chosen, it is 506, never served.
  bool negotiable = false;
};

struct loaded_type_map {
  bool found = false;  // the map is a regular file that could be read
  std::vector<map_variant> variants;
  // The map's own problems and variants that name no file: for the operator's log.
  std::vector<std::string> problems;
};

// Reads the map at relative ("docs/doc.var") below root_fd under the rule of every request
// (beneath: not through a link out of the root).
loaded_type_map load_type_map(int root_fd, std::string_view relative, const content_types& types,
                              bool beneath);

// What a worker thread keeps of the maps it read, so that a map costs a few fstatat() per
// request rather than a read, a parse and a look at each variant: an entry is read again when
// the map file, or a directory its variants were looked up in (whose mtime moves when a name
// in it comes or goes), is no longer what it was when the entry was read. A map whose files
// changed in the last second or two is served but not kept: time stamps are only as fine as
// the kernel's tick, and a second change within it would not show.
// Thread contract: one per thread, never shared.
class type_map_cache {
 public:
  static constexpr std::size_t max_maps = 1024;  // past it, the cache starts over

  // The map at relative, as load_type_map() reads it; null when there is none (nothing kept).
  std::shared_ptr<const loaded_type_map> load(int root_fd, const std::string& relative,
                                              const content_types& types, bool beneath);

 private:
  // What a path named when the entry was read; "." is the root.
  struct stamp {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    timespec ctime{};
  };
  struct entry {
    std::vector<stamp> stamps;  // the map first, then the directories
    std::shared_ptr<const loaded_type_map> map;
  };
  std::unordered_map<std::string, entry> entries_;
};

inline bool is_type_map_name(std::string_view name) noexcept {
  return name.size() > 4 && name.ends_with(".var");
}

}  // namespace teapot::handlers::static_files
