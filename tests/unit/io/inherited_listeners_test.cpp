#include "io/inherited_listeners.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/listener.h"

namespace teapot::io {
namespace {

constexpr pid_t own = 4242;

struct parse_case {
  const char* why;
  const char* pid;
  const char* fds;
  const char* names;
  std::vector<std::pair<int, std::string>> expected;
};

TEST(parse_listen_fds, takes_the_fds_meant_for_this_process_with_their_names) {
  const parse_case cases[] = {
      {"no variables: not socket-activated", nullptr, nullptr, nullptr, {}},
      {"LISTEN_PID alone", "4242", nullptr, nullptr, {}},
      {"LISTEN_FDS alone", nullptr, "1", nullptr, {}},
      {"for another process (inherited through an exec)", "4243", "1", nullptr, {}},
      {"a pid that is not a number is not this process's", "4242x", "1", nullptr, {}},
      {"no sockets", "4242", "0", nullptr, {}},
      {"no sockets, no names", "4242", "0", "", {}},
      {"one, unnamed", "4242", "1", nullptr, {{3, "unknown"}}},
      {"two, unnamed", "4242", "2", nullptr, {{3, "unknown"}, {4, "unknown"}}},
      {"named", "4242", "2", "web:admin", {{3, "web"}, {4, "admin"}}},
      {"an empty name is unknown",
       "4242",
       "3",
       "web::tls",
       {{3, "web"}, {4, "unknown"}, {5, "tls"}}},
  };
  for (const parse_case& c : cases) {
    SCOPED_TRACE(c.why);
    std::vector<std::pair<int, std::string>> got;
    for (const inherited_listener& s : parse_listen_fds(c.pid, c.fds, c.names, own))
      got.emplace_back(s.fd, s.name);
    EXPECT_EQ(got, c.expected);
  }
}

TEST(parse_listen_fds, refuses_malformed_variables_meant_for_this_process) {
  const parse_case cases[] = {
      {"a count that is not a number", "4242", "two", nullptr, {}},
      {"a negative count", "4242", "-1", nullptr, {}},
      {"an empty count", "4242", "", nullptr, {}},
      {"a count with a space", "4242", "1 ", nullptr, {}},
      {"fewer names than fds", "4242", "2", "web", {}},
      {"more names than fds", "4242", "1", "web:admin", {}},
  };
  for (const parse_case& c : cases) {
    SCOPED_TRACE(c.why);
    EXPECT_THROW(parse_listen_fds(c.pid, c.fds, c.names, own), std::invalid_argument);
  }
}

TEST(speaks_tls, by_the_name_https_or_an_address_of_tls_listen) {
  struct tls_case {
    const char* why;
    const char* name;
    const char* local;
    std::vector<std::string> tls_listen;  // as the configuration writes them
    bool expected;
  };
  const tls_case cases[] = {
      {"named https", "https", "0.0.0.0:443", {}, true},
      {"named https at any address", "https", "127.0.0.1:8080", {"127.0.0.1:8443"}, true},
      {"named http", "http", "0.0.0.0:80", {}, false},
      {"unnamed", "unknown", "0.0.0.0:443", {}, false},
      {"names are compared exactly", "HTTPS", "0.0.0.0:8443", {}, false},
      {"tls is not the name", "tls", "0.0.0.0:8443", {}, false},
      {"at a tls_listen address", "http", "0.0.0.0:443", {":443"}, true},
      {"at the second tls_listen address", "teapot.socket", "[::]:443", {":443", "[::]:443"}, true},
      {"localhost is 127.0.0.1", "unknown", "127.0.0.1:8443", {"localhost:8443"}, true},
      {"IPv6 wildcard is not IPv4's", "unknown", "[::]:443", {":443"}, false},
      {"another port", "http", "0.0.0.0:80", {":443"}, false},
      {"another host", "http", "127.0.0.1:443", {":443"}, false},
  };
  for (const tls_case& c : cases) {
    SCOPED_TRACE(c.why);
    std::vector<std::string> addresses;
    for (const std::string& spec : c.tls_listen)
      addresses.push_back(parse_address(spec).to_string());
    EXPECT_EQ(speaks_tls(c.name, c.local, addresses), c.expected);
  }
}

// Puts a socket at fd 3, as a service manager does, and gives back what was there at the end.
class at_fd_3 : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = ::fcntl(first_inherited_fd, F_DUPFD_CLOEXEC, 10); }
  void TearDown() override {
    ::close(first_inherited_fd);
    if (saved_ >= 0) {
      ::dup2(saved_, first_inherited_fd);
      ::close(saved_);
    }
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
  }
  // Moves fd to 3, as blocking and inheritable as a manager may pass it.
  static void place(int fd) {
    ASSERT_GE(fd, 0);
    if (fd != first_inherited_fd) {  // 3 itself when it was free
      ASSERT_EQ(::dup2(fd, first_inherited_fd), first_inherited_fd);
      ::close(fd);
    }
    ::fcntl(first_inherited_fd, F_SETFL, 0);
    ::fcntl(first_inherited_fd, F_SETFD, 0);
  }
  static void offer(pid_t pid, const char* names) {
    ::setenv("LISTEN_PID", std::to_string(pid).c_str(), 1);
    ::setenv("LISTEN_FDS", "1", 1);
    if (names != nullptr) ::setenv("LISTEN_FDNAMES", names, 1);
  }
  static bool variables_gone() {
    return std::getenv("LISTEN_PID") == nullptr && std::getenv("LISTEN_FDS") == nullptr &&
           std::getenv("LISTEN_FDNAMES") == nullptr;
  }

 private:
  int saved_ = -1;
};

int plain_listener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const socket_address any = parse_address("127.0.0.1:0");
  EXPECT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&any.storage), any.length), 0);
  EXPECT_EQ(::listen(fd, 8), 0);
  return fd;
}

TEST_F(at_fd_3, a_listening_socket_is_taken_once_non_blocking_and_close_on_exec) {
  place(plain_listener());
  offer(::getpid(), "web");
  const std::vector<inherited_listener> taken = take_inherited_listeners();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].fd, first_inherited_fd);
  EXPECT_EQ(taken[0].name, "web");
  EXPECT_TRUE(::fcntl(first_inherited_fd, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(first_inherited_fd, F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(variables_gone());
  EXPECT_TRUE(take_inherited_listeners().empty()) << "offered twice";
}

TEST_F(at_fd_3, sockets_for_another_process_are_left_alone_and_the_variables_dropped) {
  place(plain_listener());
  offer(::getpid() + 1, nullptr);
  EXPECT_TRUE(take_inherited_listeners().empty());
  EXPECT_TRUE(variables_gone());
  EXPECT_FALSE(::fcntl(first_inherited_fd, F_GETFL) & O_NONBLOCK) << "changed a socket not ours";
}

struct refused_case {
  const char* why;
  int (*make)();
  const char* message;
};

TEST_F(at_fd_3, what_cannot_serve_http_is_refused_with_the_reason) {
  const refused_case cases[] = {
      {"a datagram socket", [] { return ::socket(AF_INET, SOCK_DGRAM, 0); }, "not a stream socket"},
      {"a Unix socket", [] { return ::socket(AF_UNIX, SOCK_STREAM, 0); }, "not an IPv4 or IPv6"},
      {"a TCP socket that does not listen", [] { return ::socket(AF_INET, SOCK_STREAM, 0); },
       "not listening"},
      {"a file", [] { return ::open("/dev/null", O_RDONLY); }, "not a socket"},
  };
  for (const refused_case& c : cases) {
    SCOPED_TRACE(c.why);
    place(c.make());
    offer(::getpid(), "web");
    try {
      take_inherited_listeners();
      ADD_FAILURE() << "taken";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("socket 3 (web)"), std::string::npos) << what;
      EXPECT_NE(what.find(c.message), std::string::npos) << what;
    }
    EXPECT_TRUE(variables_gone());
  }
}

TEST(another_fd_for, gives_an_fd_of_its_own_that_accepts_from_the_same_socket) {
  const int listener = plain_listener();
  const int copy = another_fd_for(listener);
  ASSERT_GE(copy, 0);
  EXPECT_NE(copy, listener);
  EXPECT_TRUE(::fcntl(copy, F_GETFD) & FD_CLOEXEC);
  ::close(listener);  // the copy keeps the socket open and listening
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const socket_address to = local_address(copy);
  ASSERT_EQ(::connect(client, reinterpret_cast<const sockaddr*>(&to.storage), to.length), 0);
  pollfd p{copy, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  const int accepted = ::accept4(copy, nullptr, nullptr, SOCK_CLOEXEC);
  EXPECT_GE(accepted, 0);
  ::close(accepted);
  ::close(client);
  ::close(copy);
}

}  // namespace
}  // namespace teapot::io
