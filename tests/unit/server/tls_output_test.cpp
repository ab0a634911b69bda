// The output queue through TLS: bytes and file parts, encrypted by a tls_stream and written to a
// socket that takes little at a time, arrive whole and in order at a real OpenSSL client; and
// what waits for a full socket stays within the session's window.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "../tls/test_client.h"
#include "server/output_queue.h"
#include "server/tls_stream.h"

namespace teapot::srv {
namespace {

using tls::testing::make_set;
using tls::testing::test_client;

std::string pattern(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + (i * 7 + i / 251 + static_cast<std::size_t>(salt)) % 26);
  return s;
}

// A connected pair: [0] the server's end (non-blocking, small send buffer), [1] the client's.
struct socket_pair {
  socket_pair() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd.data()), 0);
    int small = 8192;
    ::setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    ::fcntl(fd[0], F_SETFL, ::fcntl(fd[0], F_GETFL) | O_NONBLOCK);
    ::fcntl(fd[1], F_SETFL, ::fcntl(fd[1], F_GETFL) | O_NONBLOCK);
  }
  ~socket_pair() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
  std::array<int, 2> fd{};
};

// The client reads what the socket holds and answers (handshake messages) through it.
void client_turn(test_client& client, int fd) {
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0) break;
    client.feed({buffer.data(), static_cast<std::size_t>(n)});
  }
  client.step();
  const std::string out = client.take();
  if (out.empty()) return;
  ASSERT_EQ(::write(fd, out.data(), out.size()), static_cast<ssize_t>(out.size()));
}

void handshake(test_client& client, tls_stream& server, int server_fd, int client_fd) {
  std::array<char, 1024> plaintext{};
  for (int round = 0; round < 20 && !(client.handshake_done() && server.session().handshake_done());
       ++round) {
    client_turn(client, client_fd);
    const ssize_t n = server.read(server_fd, plaintext.data(), plaintext.size());
    ASSERT_TRUE(n < 0 && errno == EAGAIN) << "nothing but the handshake was sent";
  }
  ASSERT_TRUE(client.handshake_done());
  ASSERT_TRUE(server.session().handshake_done());
}

// A file holding content, open for reading; the queue that takes it owns the descriptor.
int file_of(const std::string& content) {
  std::FILE* f = std::tmpfile();
  EXPECT_NE(f, nullptr);
  EXPECT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
  std::fflush(f);
  const int fd = ::dup(fileno(f));
  std::fclose(f);
  return fd;
}

struct part {
  bool file;
  std::size_t size;
};

struct output_case {
  const char* name;
  std::vector<part> parts;
};

const output_case cases[] = {
    {"bytes", {{false, 300}}},
    {"a head and a file", {{false, 200}, {true, 100'000}}},
    {"bytes, file, bytes, file", {{false, 50}, {true, 20'000}, {false, 70'000}, {true, 1}}},
    {"a large file", {{false, 180}, {true, 3 * 1024 * 1024}}},
};

TEST(tls_output, bytes_and_file_parts_arrive_whole_and_in_order) {
  for (const output_case& c : cases) {
    socket_pair sockets;
    tls_stream server(make_set({"a"}));
    test_client client;
    handshake(client, server, sockets.fd[0], sockets.fd[1]);
    output_queue out;
    std::string expected;
    char salt = 0;
    for (const part& p : c.parts) {
      const std::string content = pattern(p.size, ++salt);
      expected += content;
      if (p.file)
        out.append_file(file_of(content), 0, p.size, nullptr);
      else
        out.bytes() += content;
    }
    output_queue::flush_result r = out.flush(sockets.fd[0], server);
    for (int round = 0; r == output_queue::flush_result::blocked && round < 100'000; ++round) {
      client_turn(client, sockets.fd[1]);
      r = out.flush(sockets.fd[0], server);
    }
    ASSERT_EQ(r, output_queue::flush_result::done) << c.name;
    EXPECT_FALSE(server.has_pending()) << c.name;
    client_turn(client, sockets.fd[1]);
    EXPECT_EQ(client.received.size(), expected.size()) << c.name;
    EXPECT_TRUE(client.received == expected) << c.name;
  }
}

// A client that reads nothing: the queue's bytes wait in the queue, not as ciphertext.
TEST(tls_output, a_client_that_does_not_read_holds_at_most_the_window_of_ciphertext) {
  socket_pair sockets;
  tls_stream server(make_set({"a"}));
  test_client client;
  handshake(client, server, sockets.fd[0], sockets.fd[1]);
  output_queue out;
  out.bytes() = pattern(4 * 1024 * 1024, 1);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(out.flush(sockets.fd[0], server), output_queue::flush_result::blocked);
  EXPECT_GE(out.memory_backlog(), 4 * 1024 * 1024 - 2 * tls::session::ciphertext_window -
                                      2 * 1024 * 1024 /* what the socket took */);
  // Drained by the client, the rest goes.
  output_queue::flush_result r = output_queue::flush_result::blocked;
  for (int round = 0; r == output_queue::flush_result::blocked && round < 100'000; ++round) {
    client_turn(client, sockets.fd[1]);
    r = out.flush(sockets.fd[0], server);
  }
  ASSERT_EQ(r, output_queue::flush_result::done);
  client_turn(client, sockets.fd[1]);
  EXPECT_EQ(client.received.size(), 4U * 1024 * 1024);
}

TEST(tls_output, plaintext_before_the_handshake_is_not_read) {
  socket_pair sockets;
  tls_stream server(make_set({"a"}));
  const std::string request = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";
  ASSERT_EQ(::write(sockets.fd[1], request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  std::array<char, 1024> plaintext{};
  errno = 0;
  EXPECT_EQ(server.read(sockets.fd[0], plaintext.data(), plaintext.size()), -1);
  EXPECT_EQ(errno, EPROTO);
  EXPECT_TRUE(server.session().failed());
}

}  // namespace
}  // namespace teapot::srv
