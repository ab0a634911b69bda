#include "io/service_notify.h"

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace teapot::io {

namespace {

// The address NOTIFY_SOCKET names; false when it is neither "/path" nor "@abstract", or too
// long for sun_path.
bool notify_address(std::string_view name, sockaddr_un& out, socklen_t& length) noexcept {
  if (name.size() < 2 || (name.front() != '/' && name.front() != '@')) return false;
  if (name.size() > sizeof out.sun_path) return false;
  out = {};
  out.sun_family = AF_UNIX;
  std::memcpy(out.sun_path, name.data(), name.size());
  // "@name": the abstract namespace, where the name starts with a NUL and has no terminator.
  if (name.front() == '@') out.sun_path[0] = '\0';
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  return true;
}

}  // namespace

int notify_service_manager(std::string_view state) noexcept {
  // Read, never written, by teapot after start-up: getenv is safe against itself.
  const char* name = std::getenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe)
  if (name == nullptr || *name == '\0') return 0;
  sockaddr_un address{};
  socklen_t length = 0;
  if (!notify_address(name, address, length)) return EAFNOSUPPORT;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  // A datagram goes whole or not at all; the manager's socket takes it at once or says why.
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                                reinterpret_cast<const sockaddr*>(&address), length);
  const int error = sent < 0 ? errno : 0;
  ::close(fd);
  return error;
}

std::string reloading_state(std::uint64_t monotonic_usec) {
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec) + "\n";
}

std::string reloading_state() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return reloading_state(static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 +
                         static_cast<std::uint64_t>(ts.tv_nsec) / 1'000);
}

}  // namespace teapot::io
