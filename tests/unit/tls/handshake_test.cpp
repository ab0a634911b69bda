#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "test_client.h"
#include "tls/session.h"

namespace teapot::tls {
namespace {

using testing::client_options;
using testing::make_set;
using testing::pump;
using testing::test_client;

struct version_case {
  tls_version server_min;
  int client_max;
  const char* version;  // nullptr: the handshake fails
};

TEST(handshake, tls_1_3_and_1_2_complete_and_below_the_minimum_fails) {
  const version_case cases[] = {
      {tls_version::tls1_2, 0, "TLSv1.3"},
      {tls_version::tls1_2, TLS1_2_VERSION, "TLSv1.2"},
      {tls_version::tls1_3, 0, "TLSv1.3"},
      {tls_version::tls1_3, TLS1_2_VERSION, nullptr},
      {tls_version::tls1_2, TLS1_1_VERSION, nullptr},
  };
  for (const version_case& c : cases) {
    tls_config config;
    config.min_version = c.server_min;
    session server(make_set({"a"}, config));
    test_client client(testing::with_version(c.client_max));
    const auto reads = pump(client, server);
    if (c.version == nullptr) {
      EXPECT_TRUE(reads.error) << c.client_max;
      EXPECT_FALSE(server.handshake_done());
      EXPECT_FALSE(server.error().empty());
      continue;
    }
    EXPECT_FALSE(reads.error) << server.error();
    EXPECT_TRUE(server.handshake_done());
    EXPECT_TRUE(client.handshake_done());
    EXPECT_EQ(server.version(), c.version);
    EXPECT_FALSE(server.resumed());
    EXPECT_EQ(server.early_data(), early_data_state::none);
  }
}

struct sni_case {
  const char* sni;  // "": none
  std::size_t certificate;
  const char* covered_host;
  const char* other_host;  // not covered by the chosen certificate
};

// RFC 6066 §3, over real handshakes of both versions: the client sees the chosen certificate.
TEST(handshake, sni_chooses_the_certificate_the_client_receives) {
  const auto set = make_set({"a", "b"});
  const sni_case cases[] = {
      {"a.example", 0, "www.a.example", "b.example"},
      {"b.example", 1, "x.b.example", "a.example"},
      {"x.b.example", 1, "b.example", "x.y.b.example"},
      {"x.y.b.example", 0, "a.example", "x.y.b.example"},  // one label only: the default
      {"unknown.example", 0, "a.example", "unknown.example"},
      {"", 0, "a.example", "b.example"},
  };
  for (const int max : {0, TLS1_2_VERSION}) {
    for (const sni_case& c : cases) {
      session server(set);
      test_client client(testing::with_sni(c.sni, max));
      const auto reads = pump(client, server);
      ASSERT_FALSE(reads.error) << server.error();
      ASSERT_TRUE(client.handshake_done());
      EXPECT_EQ(server.certificate(), c.certificate) << c.sni << " " << max;
      EXPECT_EQ(client.peer_names(), set->names(c.certificate)) << c.sni << " " << max;
      EXPECT_EQ(server.server_name(), c.sni);
      EXPECT_TRUE(server.covers(c.covered_host)) << c.sni;
      EXPECT_FALSE(server.covers(c.other_host)) << c.sni;
    }
  }
}

struct garbage_case {
  const char* why;
  std::string bytes;
  read_status status;
};

TEST(handshake, a_client_that_sends_garbage_gets_an_error_not_a_crash) {
  const garbage_case cases[] = {
      {"plain HTTP on the TLS port", "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n",
       read_status::error},
      {"random bytes", std::string("\x8f\x00\x13\xfe\x42\x42\x42\x42\x00\x01", 10),
       read_status::error},
      {"a handshake message of an unknown type",
       std::string("\x16\x03\x01\x00\x04\xff\x00\x00\x00", 9), read_status::error},
      {"a handshake message split over records, unfinished",
       std::string("\x16\x03\x01\x00\x01\x01", 6), read_status::want_more},
      {"an alert before any hello", std::string("\x15\x03\x03\x00\x02\x02\x28", 7),
       read_status::error},
      {"an oversized record header", std::string("\x16\x03\x01\xff\xff", 5), read_status::error},
      {"half a record header", std::string("\x16\x03", 2), read_status::want_more},
      {"a record announced but not arrived", std::string("\x16\x03\x01\x00\x40", 5),
       read_status::want_more},
  };
  for (const garbage_case& c : cases) {
    session server(make_set({"a"}));
    server.feed_ciphertext(c.bytes);
    std::array<char, 1024> buffer{};
    EXPECT_EQ(server.read_plaintext(buffer).status, c.status) << c.why;
    std::string out;
    server.take_ciphertext(out);  // an alert, or nothing
    EXPECT_EQ(server.pending_ciphertext(), 0U);
    if (c.status != read_status::error) continue;
    EXPECT_TRUE(server.failed()) << c.why;
    EXPECT_FALSE(server.error().empty()) << c.why;
    EXPECT_EQ(server.read_plaintext(buffer).status, read_status::error) << c.why;
    EXPECT_EQ(server.write_plaintext("late"), 0U);
    EXPECT_FALSE(server.close_notify());
  }
}

TEST(handshake, close_notify_goes_both_ways) {
  const auto set = make_set({"a"});
  {
    session server(set);
    test_client client;
    pump(client, server);
    ASSERT_TRUE(server.close_notify());
    std::string out;
    server.take_ciphertext(out);
    client.feed(out);
    client.step();
    EXPECT_NE(SSL_get_shutdown(client.ssl()) & SSL_RECEIVED_SHUTDOWN, 0);
  }
  {
    session server(set);
    test_client client;
    pump(client, server);
    ASSERT_GE(SSL_shutdown(client.ssl()), 0);
    EXPECT_TRUE(pump(client, server).closed);
  }
  session before_handshake(set);
  EXPECT_FALSE(before_handshake.close_notify());
}

}  // namespace
}  // namespace teapot::tls
