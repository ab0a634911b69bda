// What the blocking-work pool needs of a request, copied on the loop thread so that the work
// never reads the connection's buffer, and what it hands back for the response.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teapot/http/status.h"
#include "teapot/request.h"

namespace teapot::handlers::webdav {

struct exchange_facts {
  std::string method;
  std::string apath;            // the area's path of the target
  bool trailing_slash = false;  // the target named a collection
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;

  static exchange_facts of(const request& req, std::string apath);
  // The first field of that name (case-insensitive).
  std::optional<std::string_view> field(std::string_view name) const noexcept;
  // RFC 5842 §8.1: "bind" among the compliance classes of the request's DAV field.
  bool knows_bindings() const noexcept;
};

// A response made off the loop: status, fields, and an XML body when there is one. An error
// status without a body gets the server's error page.
struct outcome {
  http::status status = http::status::ok;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string xml;

  static outcome of(http::status s) { return outcome{.status = s, .fields = {}, .xml = {}}; }
};

}  // namespace teapot::handlers::webdav
