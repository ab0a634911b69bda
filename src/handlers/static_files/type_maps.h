// A type map file (http/type_map.h) read for a request: its variants, each located below the
// root and told apart from a variant that would negotiate again (RFC 2295 §8.1: 506).
#pragma once

#include <string>
#include <string_view>
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

inline bool is_type_map_name(std::string_view name) noexcept {
  return name.size() > 4 && name.ends_with(".var");
}

}  // namespace teapot::handlers::static_files
