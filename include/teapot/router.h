// Routes a request to a handler by method and path.
// Patterns: "/exact", "/jobs/{id}" ({name} matches one non-empty segment) and "/files/*"
// (the prefix "/files/" and everything below it; "/*" is every path). Method "*" takes any
// method: such a handler answers 405 itself; but an HTTP/2 extended CONNECT (RFC 8441) never
// reaches it, the server answers 501 (a route takes one only by naming CONNECT, as a WebSocket
// route does). Lookup order: exact, then parameter patterns in
// the order added, then the longest prefix. A path that routes match only under other
// methods gives 405 with their Allow list; a path no route matches gives 404.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "teapot/handler.h"

namespace teapot {

// How a route receives its request.
// Whether a route runs a request received in TLS 1.3 early data, which may be a replay
// (RFC 8470 §5.2); a request it does not run gets 425 Too Early, and the client sends it again
// once the handshake is over.
enum class early_data_use : unsigned char {
  by_method,  // GET, HEAD and OPTIONS without content run; anything else gets 425
  allow,      // runs whatever its method: the handler is safe to repeat
  refuse,     // always 425
};

struct route_options {
  // The handler runs once the head has passed the pipeline and reads the content as it
  // arrives (request::body_stream, body_reader.h), instead of running once it has arrived
  // whole in request::body.
  bool stream_body = false;
  early_data_use early_data = early_data_use::by_method;
};

class router {
 public:
  router& route(std::string_view method, std::string_view pattern, handler h,
                route_options options = {});
  router& get(std::string_view pattern, handler h) { return route("GET", pattern, std::move(h)); }
  router& post(std::string_view pattern, handler h) { return route("POST", pattern, std::move(h)); }
  router& put(std::string_view pattern, handler h) { return route("PUT", pattern, std::move(h)); }
  router& patch(std::string_view pattern, handler h) {
    return route("PATCH", pattern, std::move(h));
  }
  router& del(std::string_view pattern, handler h) {
    return route("DELETE", pattern, std::move(h));
  }

  struct match {
    const handler* target = nullptr;  // null: 404 when allow is empty, else 405
    route_options options;            // of target
    bool any_method = false;          // target was routed for method "*"
    std::string allow;  // when target is null: the methods the path takes ("GET, HEAD")
    std::vector<path_param> params;  // views into the path and the patterns
  };
  // HEAD is answered by a GET route when no HEAD route exists.
  void find(std::string_view method, std::string_view path, match& out) const;
  // Appends every method some route takes (a GET route brings HEAD) to allow, as an Allow
  // value ("GET, HEAD, POST"), skipping those already there: what OPTIONS * answers.
  void list_methods(std::string& allow) const;

 private:
  struct entry {
    std::string method;  // "*" for any
    std::string pattern;
    bool is_prefix = false;
    bool has_params = false;
    handler h;
    route_options options;
  };
  std::vector<entry> entries_;
};

}  // namespace teapot
