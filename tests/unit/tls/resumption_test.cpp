#include <gtest/gtest.h>

#include <memory>

#include "test_client.h"
#include "tls/session.h"

namespace teapot::tls {
namespace {

using testing::client_options;
using testing::make_set;
using testing::pump;
using testing::test_certificates;
using testing::test_client;

struct session_ptr_free {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using session_ptr = std::unique_ptr<SSL_SESSION, session_ptr_free>;

// A full handshake, and the session (with its ticket) the client keeps from it.
session_ptr first_session(const std::shared_ptr<context_set>& set, client_options options) {
  session server(set);
  test_client client(options);
  pump(client, server);
  EXPECT_TRUE(client.handshake_done());
  EXPECT_FALSE(server.resumed());
  return session_ptr(client.session());
}

// Whether a handshake offering ticket resumes; it must complete either way.
bool resumes(const std::shared_ptr<context_set>& set, client_options options, SSL_SESSION* ticket,
             std::size_t* certificate = nullptr) {
  options.resume = ticket;
  session server(set);
  test_client client(options);
  const auto reads = pump(client, server);
  EXPECT_FALSE(reads.error) << server.error();
  EXPECT_TRUE(server.handshake_done());
  EXPECT_TRUE(client.handshake_done());
  EXPECT_EQ(SSL_session_reused(client.ssl()) == 1, server.resumed());
  if (certificate != nullptr) *certificate = server.certificate();
  return server.resumed();
}

struct rotation_case {
  std::size_t kept;
  int rotations;
  bool resumed;
};

// RFC 8446 §4.6.1 (TLS 1.3) and RFC 5077 (TLS 1.2) tickets, sealed by the ring's current key
// and opened by any key still in it.
TEST(resumption, a_ticket_resumes_until_its_key_leaves_the_ring) {
  const rotation_case cases[] = {
      {2, 0, true}, {2, 1, true},  {2, 2, false}, {2, 3, false},
      {1, 0, true}, {1, 1, false}, {3, 2, true},  {3, 3, false},
  };
  for (const int max : {0, TLS1_2_VERSION}) {
    for (const rotation_case& c : cases) {
      tls_config config;
      config.ticket_keys_kept = c.kept;
      const auto set = make_set({"a"}, config);
      const client_options options = testing::with_version(max);
      const session_ptr ticket = first_session(set, options);
      ASSERT_TRUE(ticket);
      for (int i = 0; i < c.rotations; ++i)
        set->rotate_ticket_keys();
      EXPECT_EQ(set->ticket_keys()->size(), std::min<std::size_t>(c.kept, c.rotations + 1));
      EXPECT_EQ(resumes(set, options, ticket.get()), c.resumed)
          << "kept " << c.kept << ", " << c.rotations << " rotations, version " << max;
    }
  }
}

TEST(resumption, a_set_that_takes_the_previous_ring_resumes_its_tickets) {
  const test_certificates& t = test_certificates::get();
  const auto before = make_set({"a"});
  const session_ptr ticket = first_session(before, {});
  const auto reloaded = std::make_shared<context_set>(
      std::vector<certificate_config>{t.config("a")}, tls_config{}, before->ticket_keys());
  EXPECT_TRUE(resumes(reloaded, {}, ticket.get()));
  const auto fresh = make_set({"a"});
  EXPECT_FALSE(resumes(fresh, {}, ticket.get()));
}

TEST(resumption, a_resumed_session_is_still_told_its_certificate_by_sni) {
  const auto set = make_set({"a", "b"});
  for (const int max : {0, TLS1_2_VERSION}) {
    const client_options options = testing::with_sni("x.b.example", max);
    const session_ptr ticket = first_session(set, options);
    std::size_t certificate = 0;
    EXPECT_TRUE(resumes(set, options, ticket.get(), &certificate)) << max;
    EXPECT_EQ(certificate, 1U) << max;
  }
}

}  // namespace
}  // namespace teapot::tls
