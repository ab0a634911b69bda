#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>

#include "test_client.h"
#include "tls/session.h"

namespace teapot::tls {
namespace {

using testing::make_set;
using testing::pump;
using testing::test_client;

constexpr std::size_t mebibyte = 1024 * 1024;

std::string body() {
  std::string b(mebibyte, '\0');
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return b;
}

// What n bytes of plaintext may become: records of at most 16 KiB, each with at most 29 bytes
// more (TLS 1.2 AES-GCM: a 5-byte header, an 8-byte explicit nonce, a 16-byte tag; TLS 1.3:
// header, content type and tag, 22).
std::size_t ciphertext_bound(std::size_t n) {
  return n + (n + 16383) / 16384 * 29;
}

struct piece_case {
  std::size_t piece;
  int max_version;
};

const piece_case pieces[] = {
    {997, 0}, {16384, 0}, {100000, TLS1_2_VERSION}, {mebibyte, 0}, {4000, TLS1_2_VERSION}};

TEST(plaintext, a_mebibyte_from_the_client_arrives_whole_in_any_pieces) {
  const std::string sent = body();
  for (const piece_case& c : pieces) {
    session server(make_set({"a"}));
    test_client client(testing::with_version(c.max_version));
    pump(client, server);
    std::string read;
    for (std::size_t at = 0; at < sent.size();) {
      const std::size_t n = client.write(std::string_view(sent).substr(at, c.piece));
      ASSERT_GT(n, 0U);
      at += n;
      read += pump(client, server).plaintext;
    }
    EXPECT_TRUE(read == sent) << c.piece << ": " << read.size() << " bytes read";
  }
}

TEST(plaintext, a_mebibyte_from_the_server_arrives_whole_and_the_output_drains) {
  const std::string sent = body();
  for (const piece_case& c : pieces) {
    session server(make_set({"a"}));
    test_client client(testing::with_version(c.max_version));
    pump(client, server);
    ASSERT_TRUE(server.handshake_done());
    std::size_t ciphertext = 0;
    std::size_t bound = 0;
    std::size_t taken = 0;
    while (taken < sent.size()) {
      const std::string_view piece = std::string_view(sent).substr(taken, c.piece);
      const std::size_t n = server.write_plaintext(piece);
      ASSERT_GT(n, 0U);
      ASSERT_LE(n, session::ciphertext_window);
      taken += n;
      bound += ciphertext_bound(n);
      ASSERT_LE(server.pending_ciphertext(), ciphertext_bound(n));
      std::string out;
      server.take_ciphertext(out);
      EXPECT_EQ(server.pending_ciphertext(), 0U);
      ciphertext += out.size();
      client.feed(out);
      client.step();
    }
    EXPECT_TRUE(client.received == sent) << c.piece << ": " << client.received.size();
    // What went out is what was fed and the records' overhead, never more.
    EXPECT_LE(ciphertext, bound) << c.piece;
  }
}

TEST(plaintext, a_large_write_is_taken_a_window_at_a_time) {
  const std::string sent = body();
  session server(make_set({"a"}));
  test_client client;
  pump(client, server);
  const std::size_t first = server.write_plaintext(sent);
  // A window of ciphertext, less the records' overhead.
  EXPECT_LE(first, session::ciphertext_window);
  EXPECT_GE(first, session::ciphertext_window - 5 * 29);
  EXPECT_GE(server.pending_ciphertext(), session::ciphertext_window);
  EXPECT_EQ(server.write_plaintext(std::string_view(sent).substr(first)), 0U);  // not drained
  std::string out;
  server.take_ciphertext(out);
  EXPECT_GT(server.write_plaintext(std::string_view(sent).substr(first)), 0U);
}

TEST(plaintext, nothing_is_written_before_the_handshake_is_done) {
  session server(make_set({"a"}));
  EXPECT_EQ(server.write_plaintext("too early"), 0U);
  EXPECT_EQ(server.pending_ciphertext(), 0U);
  EXPECT_FALSE(server.failed());
}

}  // namespace
}  // namespace teapot::tls
