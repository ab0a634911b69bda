#include "io/service_notify.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace teapot::io {
namespace {

// A datagram socket a manager would listen on, bound to NOTIFY_SOCKET's name ("/path" or
// "@abstract"), and the variable set to it for the test.
class manager_socket {
 public:
  explicit manager_socket(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name.data(), name.size());
    if (name[0] == '@') a.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&a), length), 0)
        << std::strerror(errno);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~manager_socket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
    if (name_[0] == '/') ::unlink(name_.c_str());
  }
  manager_socket(const manager_socket&) = delete;
  manager_socket& operator=(const manager_socket&) = delete;

  std::string receive() const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return "(nothing came)";
    char buf[512];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n < 0 ? "(recv failed)" : std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
};

std::string temp_socket_path() {
  char dir[] = "/tmp/teapot-notify-XXXXXX";
  EXPECT_NE(::mkdtemp(dir), nullptr);
  return std::string(dir) + "/notify";
}

TEST(notify_service_manager, without_notify_socket_nothing_is_sent_and_nothing_fails) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(notify_service_manager("READY=1\n"), 0);
  ::setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_EQ(notify_service_manager("READY=1\n"), 0);
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(notify_service_manager, each_state_reaches_a_path_socket_as_one_datagram) {
  const std::string path = temp_socket_path();
  {
    manager_socket manager(path);
    for (const char* state : {"READY=1\nSTATUS=serving on 127.0.0.1:8080\n", "STOPPING=1\n"}) {
      SCOPED_TRACE(state);
      EXPECT_EQ(notify_service_manager(state), 0);
      EXPECT_EQ(manager.receive(), state);
    }
  }
  ::rmdir(path.substr(0, path.rfind('/')).c_str());
}

TEST(notify_service_manager, an_at_sign_names_the_abstract_namespace) {
  const std::string name = "@teapot-notify-test-" + std::to_string(::getpid());
  manager_socket manager(name);
  EXPECT_EQ(notify_service_manager("READY=1\n"), 0);
  EXPECT_EQ(manager.receive(), "READY=1\n");
}

struct failure_case {
  const char* notify_socket;
  int error;
};

TEST(notify_service_manager, a_socket_it_cannot_reach_gives_the_reason) {
  const std::string too_long = "/" + std::string(200, 'x');
  const failure_case cases[] = {
      {"relative/path", EAFNOSUPPORT},
      {"vsock:2:1234", EAFNOSUPPORT},
      {"/", EAFNOSUPPORT},
      {too_long.c_str(), EAFNOSUPPORT},
      {"/nonexistent-dir-of-teapot/notify", ENOENT},
  };
  for (const failure_case& c : cases) {
    SCOPED_TRACE(c.notify_socket);
    ::setenv("NOTIFY_SOCKET", c.notify_socket, 1);
    EXPECT_EQ(notify_service_manager("READY=1\n"), c.error);
  }
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(reloading_state, carries_the_monotonic_clock_in_microseconds) {
  EXPECT_EQ(reloading_state(1234567), "RELOADING=1\nMONOTONIC_USEC=1234567\n");
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::uint64_t before = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 +
                               static_cast<std::uint64_t>(ts.tv_nsec) / 1'000;
  const std::string state = reloading_state();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(state.rfind(prefix, 0), 0u) << state;
  const std::uint64_t usec = std::stoull(state.substr(prefix.size()));
  EXPECT_GE(usec, before);
  EXPECT_LT(usec, before + 10'000'000) << "more than 10 s after the clock was read";
}

}  // namespace
}  // namespace teapot::io
