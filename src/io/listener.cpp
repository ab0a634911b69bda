#include "io/listener.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace teapot::io {

namespace {

[[noreturn]] void reject(std::string_view input, const std::string& why) {
  throw std::invalid_argument("invalid listen address \"" + std::string(input) + "\": " + why);
}

std::uint16_t parse_port(std::string_view input, std::string_view digits) {
  if (digits.empty()) reject(input, "missing port");
  unsigned value = 0;
  const auto* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (ec == std::errc::result_out_of_range) reject(input, "port is above 65535");
  if (ec != std::errc{} || ptr != end) reject(input, "port is not a number");
  if (value > 65535) reject(input, "port is above 65535");
  return static_cast<std::uint16_t>(value);
}

socket_address make_v4(std::string_view input, const std::string& host, std::uint16_t port) {
  socket_address out;
  auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1) {
    reject(input, "host is not a numeric IPv4 address (use [..] for IPv6)");
  }
  out.length = sizeof(sockaddr_in);
  return out;
}

socket_address make_v6(std::string_view input, const std::string& host, std::uint16_t port) {
  socket_address out;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  if (::inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) {
    reject(input, "host is not a numeric IPv6 address");
  }
  out.length = sizeof(sockaddr_in6);
  return out;
}

void set_flag(int fd, int level, int name) {
  const int one = 1;
  if (::setsockopt(fd, level, name, &one, sizeof one) < 0) {
    throw std::system_error(errno, std::generic_category(), "setsockopt");
  }
}

}  // namespace

std::string socket_address::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
    ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(sin->sin_port));
  }
  if (storage.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    // Appended to "[" rather than "[" + std::string(text): GCC 12 reports the insertion at
    // the front of a temporary as an overlap (-Wrestrict, GCC bug 105329) at -O2 and -O3.
    return std::string("[").append(text).append("]:").append(
        std::to_string(ntohs(sin6->sin6_port)));
  }
  return "(unknown address family)";
}

socket_address parse_address(std::string_view host_port) {
  const std::string_view input = host_port;
  if (input.empty()) reject(input, "empty");
  if (input.front() == '[') {
    const auto close = input.find(']');
    if (close == std::string_view::npos) reject(input, "missing ']'");
    if (close + 1 >= input.size() || input[close + 1] != ':') reject(input, "missing port");
    const auto port = parse_port(input, input.substr(close + 2));
    return make_v6(input, std::string(input.substr(1, close - 1)), port);
  }
  const auto colon = input.rfind(':');
  if (colon == std::string_view::npos) {
    // A bare number is a port whose host was left out: say how to write it.
    if (input.find_first_not_of("0123456789") == std::string_view::npos)
      reject(input, "missing host: write 127.0.0.1:" + std::string(input) +
                        " for this machine only, or :" + std::string(input) +
                        " for every IPv4 interface");
    reject(input, "missing port");
  }
  const std::string_view host = input.substr(0, colon);
  if (host.find(':') != std::string_view::npos) reject(input, "IPv6 hosts go in brackets");
  const auto port = parse_port(input, input.substr(colon + 1));
  if (host.empty()) return make_v4(input, "0.0.0.0", port);
  if (host == "localhost") return make_v4(input, "127.0.0.1", port);
  return make_v4(input, std::string(host), port);
}

int listen_on(const socket_address& address, std::size_t send_buffer, int backlog) {
  const int family = address.storage.ss_family;
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "socket for " + address.to_string());
  }
  try {
    set_flag(fd, SOL_SOCKET, SO_REUSEADDR);
    set_flag(fd, SOL_SOCKET, SO_REUSEPORT);
    set_flag(fd, IPPROTO_TCP, TCP_NODELAY);
    // "[::]:80" then means IPv6 only, and "0.0.0.0:80" can be bound beside it.
    if (family == AF_INET6) set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY);
    if (send_buffer > 0) set_send_buffer(fd, send_buffer);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) < 0) {
      throw std::system_error(errno, std::generic_category(), "bind");
    }
    if (::listen(fd, backlog) < 0)
      throw std::system_error(errno, std::generic_category(), "listen");
  } catch (const std::system_error& e) {
    ::close(fd);
    // e.what() is "STEP: REASON", and the new what() appends REASON: keep STEP only, so that
    // the reason is said once ("cannot listen on 0.0.0.0:80 (bind): Permission denied").
    const std::string what = e.what();
    throw std::system_error(e.code(), "cannot listen on " + address.to_string() + " (" +
                                          what.substr(0, what.find(':')) + ")");
  }
  return fd;
}

void ensure_address_free(const socket_address& address) {
  const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return;  // listen_on will report the real problem
  set_flag(fd, SOL_SOCKET, SO_REUSEADDR);
  if (address.storage.ss_family == AF_INET6) set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY);
  const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length);
  const int err = errno;
  ::close(fd);
  // what() appends strerror: "cannot listen on 127.0.0.1:80: Address already in use".
  if (rc < 0 && err == EADDRINUSE)
    throw std::system_error(err, std::generic_category(),
                            "cannot listen on " + address.to_string());
}

void set_send_buffer(int fd, std::size_t bytes) {
  // The kernel doubles the value in an int: past INT_MAX / 2 it would wrap.
  const int value = static_cast<int>(std::min<std::size_t>(bytes, INT_MAX / 2));
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, sizeof value) < 0)
    throw std::system_error(errno, std::generic_category(), "setsockopt SO_SNDBUF");
}

std::size_t send_buffer_of(int fd) {
  int bytes = 0;
  socklen_t length = sizeof bytes;
  if (::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, &length) < 0)
    throw std::system_error(errno, std::generic_category(), "getsockopt SO_SNDBUF");
  return static_cast<std::size_t>(bytes);
}

socket_address local_address(int fd) {
  socket_address out;
  out.length = sizeof out.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&out.storage), &out.length) < 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return out;
}

std::uint16_t local_port(int fd) {
  const socket_address address = local_address(fd);
  if (address.storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_port);
  }
  if (address.storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_port);
  }
  return 0;
}

int accept_one(int listen_fd, socket_address* peer) noexcept {
  for (;;) {
    socket_address scratch;
    socket_address& out = peer != nullptr ? *peer : scratch;
    out.length = sizeof out.storage;
    const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&out.storage), &out.length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      // Linux copies TCP_NODELAY from the listener; set it anyway, since that is not promised.
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    // A connection reset while queued is gone: take the next one.
    if (errno == EINTR || errno == ECONNABORTED) continue;
    return -1;
  }
}

}  // namespace teapot::io
