#include "io/write.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

#include "io/signals.h"

namespace teapot::io {
namespace {

struct socket_pair {
  socket_pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0); }
  ~socket_pair() {
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[1], buf, sizeof buf)) > 0)
      out.append(buf, static_cast<size_t>(n));
    return out;
  }
  int fds[2] = {-1, -1};
};

iovec piece(std::string& s) {
  return iovec{s.data(), s.size()};
}

TEST(write_vector, writes_the_buffers_in_order_in_one_call) {
  socket_pair pair;
  std::string a = "HTTP/1.1 200 OK\r\n";
  std::string b = "Content-Length: 2\r\n\r\n";
  std::string c = "hi";
  const iovec buffers[] = {piece(a), piece(b), piece(c)};
  EXPECT_EQ(write_vector(pair.fds[0], buffers), static_cast<ssize_t>(a.size() + b.size() + 2));
  EXPECT_EQ(pair.read_all(), a + b + c);
}

TEST(write_vector, a_full_socket_gives_minus_eagain_after_a_short_write) {
  socket_pair pair;
  std::string big(1 << 20, 'x');
  const iovec buffers[] = {piece(big)};
  const ssize_t first = write_vector(pair.fds[0], buffers);
  EXPECT_GT(first, 0);
  EXPECT_LT(first, static_cast<ssize_t>(big.size()));
  EXPECT_EQ(write_vector(pair.fds[0], buffers), -EAGAIN);
}

TEST(write_vector, a_closed_peer_gives_minus_epipe_without_killing_the_process) {
  block_shutdown_signals();  // ignores SIGPIPE
  socket_pair pair;
  ::close(pair.fds[1]);
  pair.fds[1] = -1;
  std::string a = "lost";
  const iovec buffers[] = {piece(a)};
  EXPECT_EQ(write_vector(pair.fds[0], buffers), -EPIPE);
}

TEST(send_file, sends_a_range_and_advances_the_offset) {
  socket_pair pair;
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  std::fputs("0123456789", file);
  std::fflush(file);
  off_t offset = 2;
  EXPECT_EQ(send_file(pair.fds[0], ::fileno(file), &offset, 5), 5);
  EXPECT_EQ(offset, 7);
  EXPECT_EQ(pair.read_all(), "23456");
  EXPECT_EQ(send_file(pair.fds[0], ::fileno(file), &offset, 100), 3);  // stops at the end
  EXPECT_EQ(pair.read_all(), "789");
  EXPECT_EQ(send_file(pair.fds[0], -1, &offset, 1), -EBADF);
  std::fclose(file);
}

TEST(consume, drops_written_bytes_across_buffers) {
  struct test_case {
    std::size_t written;
    std::vector<std::string> left;
  };
  const test_case cases[] = {
      {0, {"abc", "de", "fgh"}},
      {1, {"bc", "de", "fgh"}},
      {3, {"de", "fgh"}},
      {4, {"e", "fgh"}},
      {5, {"fgh"}},
      {7, {"h"}},
      {8, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.written);
    std::string a = "abc", b = "de", d = "fgh";
    iovec buffers[] = {piece(a), piece(b), piece(d)};
    std::vector<std::string> left;
    for (const iovec& v : consume(buffers, c.written)) {
      left.emplace_back(static_cast<const char*>(v.iov_base), v.iov_len);
    }
    EXPECT_EQ(left, c.left);
  }
}

}  // namespace
}  // namespace teapot::io
