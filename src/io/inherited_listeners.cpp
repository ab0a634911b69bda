#include "io/inherited_listeners.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace teapot::io {

namespace {

// The variables' numbers are plain decimal: no sign, no space, nothing after.
bool parse_decimal(std::string_view text, long& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end && out >= 0;
}

std::vector<std::string> split_names(std::string_view text) {
  std::vector<std::string> out;
  for (;;) {
    const auto colon = text.find(':');
    out.emplace_back(text.substr(0, colon));
    if (colon == std::string_view::npos) return out;
    text.remove_prefix(colon + 1);
  }
}

[[noreturn]] void refuse(const inherited_listener& s, const std::string& why) {
  throw std::invalid_argument("socket " + std::to_string(s.fd) + " (" + s.name +
                              ") passed by the service manager " + why);
}

int int_option(int fd, int name) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, name, &value, &length) < 0) return -1;
  return value;
}

// What sd_is_socket_inet(fd, 0, SOCK_STREAM, 1, 0) checks, with the reason when it fails.
void check_listening_tcp(const inherited_listener& s) {
  struct stat st {};
  if (::fstat(s.fd, &st) < 0) refuse(s, "is not open: " + std::generic_category().message(errno));
  if (!S_ISSOCK(st.st_mode)) refuse(s, "is not a socket");
  if (int_option(s.fd, SO_TYPE) != SOCK_STREAM)
    refuse(s, "is not a stream socket (ListenStream= serves HTTP, not ListenDatagram=)");
  const int domain = int_option(s.fd, SO_DOMAIN);
  if (domain != AF_INET && domain != AF_INET6)
    refuse(s, "is not an IPv4 or IPv6 socket (Unix sockets are not served)");
  if (int_option(s.fd, SO_ACCEPTCONN) != 1) refuse(s, "is not listening");
}

void prepare(const inherited_listener& s) {
  const int fd_flags = ::fcntl(s.fd, F_GETFD);
  const int fl_flags = ::fcntl(s.fd, F_GETFL);
  if (fd_flags < 0 || fl_flags < 0 || ::fcntl(s.fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0 ||
      ::fcntl(s.fd, F_SETFL, fl_flags | O_NONBLOCK) < 0)
    refuse(s, "cannot be made non-blocking: " + std::generic_category().message(errno));
}

// Copies a variable and unsets it: the sockets are offered once, whatever follows. The
// environment is not MT-safe; the contract (at start-up, before other threads use it) is
// the caller's, as sd_listen_fds(3) asks of its callers.
std::optional<std::string> take_variable(const char* name) {
  std::optional<std::string> value;
  if (const char* text = std::getenv(name)) value = text;  // NOLINT(concurrency-mt-unsafe)
  ::unsetenv(name);                                        // NOLINT(concurrency-mt-unsafe)
  return value;
}

const char* or_null(const std::optional<std::string>& v) {
  return v ? v->c_str() : nullptr;
}

}  // namespace

std::vector<inherited_listener> parse_listen_fds(const char* pid, const char* fds,
                                                 const char* names, pid_t own_pid) {
  if (pid == nullptr || fds == nullptr) return {};
  long for_pid = 0;
  if (!parse_decimal(pid, for_pid) || for_pid != own_pid) return {};
  long count = 0;
  // The upper bound keeps fd numbers in an int; no manager passes that many.
  if (!parse_decimal(fds, count) || count > 65536)
    throw std::invalid_argument("LISTEN_FDS=\"" + std::string(fds) + "\" is not a count of fds");
  std::vector<std::string> labels;
  if (names != nullptr && count > 0) {
    labels = split_names(names);
    if (labels.size() != static_cast<std::size_t>(count))
      throw std::invalid_argument("LISTEN_FDNAMES=\"" + std::string(names) + "\" names " +
                                  std::to_string(labels.size()) + " sockets, LISTEN_FDS says " +
                                  std::to_string(count));
  }
  std::vector<inherited_listener> out;
  for (long i = 0; i < count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    out.push_back({first_inherited_fd + static_cast<int>(i),
                   labels.empty() || labels[index].empty() ? "unknown" : labels[index]});
  }
  return out;
}

std::vector<inherited_listener> take_inherited_listeners() {
  const auto pid = take_variable("LISTEN_PID");
  const auto fds = take_variable("LISTEN_FDS");
  const auto names = take_variable("LISTEN_FDNAMES");
  std::vector<inherited_listener> sockets =
      parse_listen_fds(or_null(pid), or_null(fds), or_null(names), ::getpid());
  for (const inherited_listener& s : sockets) {
    check_listening_tcp(s);
    prepare(s);
  }
  return sockets;
}

bool speaks_tls(std::string_view name, std::string_view local,
                const std::vector<std::string>& tls_addresses) {
  return name == tls_socket_name ||
         std::find(tls_addresses.begin(), tls_addresses.end(), local) != tls_addresses.end();
}

int another_fd_for(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0)
    throw std::system_error(errno, std::generic_category(), "dup of an inherited socket");
  return copy;
}

}  // namespace teapot::io
