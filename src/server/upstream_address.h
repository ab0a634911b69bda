// An upstream server of a proxy route, resolved once when the route is made.
#pragma once

#include <sys/socket.h>

#include <string>

namespace teapot::srv {

struct upstream_address {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string name;       // as configured ("127.0.0.1:9000", "https://api.test:443"), for logs
  std::string authority;  // host:port, without the scheme: the health checks' Host
  std::string host;       // the name or address alone: TLS's SNI and certificate check
  bool tls = false;       // written https://
};

}  // namespace teapot::srv
