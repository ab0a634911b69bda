// Routes a request to a handler by method and path.
// Patterns: "/exact", "/jobs/{id}" ({name} matches one non-empty segment), and prefixes
// added with prefix(). Lookup order: exact, then patterns in the order added, then the longest
// prefix. A path that some route matches under another method gives 405 with Allow.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "teapot/handler.h"

namespace teapot {

class router {
 public:
  router& route(std::string_view method, std::string_view pattern, handler h);
  router& get(std::string_view pattern, handler h) { return route("GET", pattern, std::move(h)); }
  router& post(std::string_view pattern, handler h) { return route("POST", pattern, std::move(h)); }
  router& put(std::string_view pattern, handler h) { return route("PUT", pattern, std::move(h)); }
  router& patch(std::string_view pattern, handler h) { return route("PATCH", pattern, std::move(h)); }
  router& del(std::string_view pattern, handler h) { return route("DELETE", pattern, std::move(h)); }
  // Every request whose path starts with prefix, whatever its method: the handler decides
  // (and answers 405 itself). "/" catches everything no other route takes.
  router& prefix(std::string_view prefix, handler h);

  struct match {
    const handler* target = nullptr;  // null: no route for this method (see allow)
    std::string allow;  // when target is null and the path exists: methods it takes, for 405
    std::vector<path_param> params;  // views into the path and the patterns
  };
  // HEAD is answered by a GET route when no HEAD route exists.
  void find(std::string_view method, std::string_view path, match& out) const;

 private:
  struct entry {
    std::string method;  // empty for prefix routes
    std::string pattern;
    bool is_prefix = false;
    bool has_params = false;
    handler h;
  };
  std::vector<entry> entries_;
};

}  // namespace teapot
