// An upstream server of a proxy route, resolved once when the route is made.
#pragma once

#include <sys/socket.h>

#include <string>

namespace teapot::srv {

struct upstream_address {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string name;  // as configured ("127.0.0.1:9000"), for logs and the checks' Host
};

}  // namespace teapot::srv
