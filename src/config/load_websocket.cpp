// The [[sites.websocket]] tables: WebSocket routes at exact paths.
#include <string>

#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

void read_websocket(table_reader& r, websocket_config& out) {
  if (r.require("path", "the URL path of the route, such as \"/ws/echo\"")) {
    if (auto path = r.string("path")) {
      if (std::string why = check_path_prefix(*path); !why.empty())
        r.error("path", why);
      else
        out.path = *path;
    }
  }
  if (auto action = r.string("action")) {
    if (*action != "echo")
      r.error("action", single_quoted(*action) + " is not an action; the one there is: \"echo\"");
    else
      out.action = *action;
  }
  if (auto list = r.strings("subprotocols")) out.options.subprotocols = *list;
  if (auto n = r.size("max_message")) {
    if (*n == 0)
      r.error("max_message", "must be greater than zero");
    else
      out.options.max_message = *n;
  }
  if (auto b = r.boolean("permessage_deflate")) out.options.permessage_deflate = *b;
  // Zero is allowed: no Ping, no timeout.
  if (auto d = r.duration("idle_timeout")) out.options.idle_timeout = *d;
}

}  // namespace

void read_websockets(table_reader& site, std::vector<websocket_config>& out) {
  auto tables = site.tables("websocket");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    table_reader r(site.diag(), *tables[i],
                   site.key_path("websocket") + "[" + std::to_string(i) + "]");
    websocket_config& route = out.emplace_back();
    read_websocket(r, route);
    for (std::size_t j = 0; j < i; ++j)
      if (!route.path.empty() && out[j].path == route.path) {
        r.error("path", single_quoted(route.path) + " is the path of " +
                            site.key_path("websocket") + "[" + std::to_string(j) +
                            "] already; each route has a path of its own");
        break;
      }
    r.finish();
  }
}

}  // namespace teapot::config::detail
