#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_client.h"
#include "tls/session.h"

namespace teapot::tls {
namespace {

using testing::client_options;
using testing::make_set;
using testing::pump;
using testing::test_client;

struct session_ptr_free {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using session_ptr = std::unique_ptr<SSL_SESSION, session_ptr_free>;

const std::string request = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";
const std::string after = "POST /after HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\n\r\n";

session_ptr ticket_from(const std::shared_ptr<context_set>& set) {
  session server(set);
  test_client client;
  pump(client, server);
  return session_ptr(client.session());
}

struct early_result {
  early_data_state state;
  bool resumed;
  std::string early;      // read as early data
  std::string plaintext;  // everything read, early or not
};

// A client resumes with ticket, sends the request as early data, then `after` once the
// handshake is done.
early_result send_early(const std::shared_ptr<context_set>& set, SSL_SESSION* ticket) {
  session server(set);
  test_client client(testing::resuming(ticket, request));
  auto reads = pump(client, server);
  EXPECT_FALSE(reads.error) << server.error();
  EXPECT_TRUE(server.handshake_done());
  EXPECT_TRUE(client.handshake_done());
  EXPECT_EQ(client.write(after), after.size());
  const auto rest = pump(client, server);
  EXPECT_TRUE(rest.early.empty());
  return {server.early_data(), server.resumed(), reads.early, reads.plaintext + rest.plaintext};
}

// RFC 8446 §4.2.10: a server that does not accept early data skips it, and the handshake goes
// on; the client learns it was rejected and sends its request again.
TEST(early_data, when_off_a_clients_early_data_is_rejected_and_the_handshake_completes) {
  const auto set = make_set({"a"});
  const session_ptr ticket = ticket_from(set);
  ASSERT_TRUE(ticket);
  EXPECT_EQ(SSL_SESSION_get_max_early_data(ticket.get()), 0U);  // the server offered none
  // A client that sends early data all the same (or a ticket from when it was on).
  SSL_SESSION_set_max_early_data(ticket.get(), 16384);
  const early_result r = send_early(set, ticket.get());
  EXPECT_EQ(r.state, early_data_state::rejected);
  EXPECT_TRUE(r.early.empty());
  EXPECT_EQ(r.plaintext, after);  // the early request never reached the codec
}

// On, the early request arrives marked early, so that the HTTP layer can answer 425 (RFC 8470).
TEST(early_data, when_on_early_data_is_read_and_marked_early) {
  tls_config config;
  config.early_data = true;
  const auto set = make_set({"a"}, config);
  const session_ptr ticket = ticket_from(set);
  ASSERT_TRUE(ticket);
  EXPECT_EQ(SSL_SESSION_get_max_early_data(ticket.get()), config.max_early_data);
  const early_result r = send_early(set, ticket.get());
  EXPECT_EQ(r.state, early_data_state::accepted);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.early, request);
  EXPECT_EQ(r.plaintext, request + after);
}

// RFC 8446 §8.1: a ticket is good for one use, so that recorded early data cannot be replayed.
TEST(early_data, a_replayed_ticket_neither_resumes_nor_delivers_early_data) {
  tls_config config;
  config.early_data = true;
  const auto set = make_set({"a"}, config);
  const session_ptr ticket = ticket_from(set);
  ASSERT_EQ(send_early(set, ticket.get()).state, early_data_state::accepted);
  const early_result replay = send_early(set, ticket.get());
  EXPECT_EQ(replay.state, early_data_state::rejected);
  EXPECT_FALSE(replay.resumed);
  EXPECT_TRUE(replay.early.empty());
  EXPECT_EQ(replay.plaintext, after);
}

TEST(early_data, a_tls_1_2_client_is_served_by_a_set_that_accepts_early_data) {
  tls_config config;
  config.early_data = true;
  session server(make_set({"a"}, config));
  test_client client(testing::with_version(TLS1_2_VERSION));
  pump(client, server);
  ASSERT_TRUE(server.handshake_done());
  client.write(request);
  const auto reads = pump(client, server);
  EXPECT_EQ(reads.plaintext, request);
  EXPECT_TRUE(reads.early.empty());
  EXPECT_EQ(server.early_data(), early_data_state::none);
}

}  // namespace
}  // namespace teapot::tls
