#include "tls/alpn.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "test_client.h"

namespace teapot::tls {
namespace {

using testing::client_options;
using testing::make_set;
using testing::pump;
using testing::test_client;

std::string wire(std::initializer_list<std::string> names) {
  return alpn_wire(std::vector<std::string>(names));
}

struct select_case {
  std::vector<std::string> server;
  std::string client;  // wire form
  std::optional<std::string> chosen;
};

// RFC 7301 §3.2: the server's first preference that the client offers.
TEST(alpn, the_servers_first_preference_that_the_client_offers_is_chosen) {
  const select_case cases[] = {
      {{"h2", "http/1.1"}, wire({"h2", "http/1.1"}), "h2"},
      {{"h2", "http/1.1"}, wire({"http/1.1", "h2"}), "h2"},  // the server's order, not the client's
      {{"http/1.1", "h2"}, wire({"h2", "http/1.1"}), "http/1.1"},
      {{"h2", "http/1.1"}, wire({"http/1.1"}), "http/1.1"},
      {{"h2", "http/1.1"}, wire({"spdy/3", "http/1.0"}), std::nullopt},
      {{"h2"}, wire({"h2c"}), std::nullopt},  // names compare whole
      {{"h2", "http/1.1"}, "", std::nullopt},
      {{"h2"}, std::string("\x02h2\x00", 4), std::nullopt},  // an empty name: malformed
      {{"h2"}, std::string("\x05h2", 3), std::nullopt},      // a length past the end
      {{}, wire({"h2"}), std::nullopt},
  };
  for (const select_case& c : cases) {
    const auto chosen = select_alpn(c.server, c.client);
    EXPECT_EQ(chosen ? std::optional<std::string>(*chosen) : std::nullopt, c.chosen);
  }
}

TEST(alpn, the_wire_form_prefixes_each_name_with_its_length) {
  EXPECT_EQ(wire({"h2", "http/1.1"}), std::string("\x02h2\x08http/1.1"));
  EXPECT_THROW(wire({""}), std::invalid_argument);
  EXPECT_THROW(wire({std::string(256, 'x')}), std::invalid_argument);
}

struct handshake_case {
  std::vector<std::string> server;
  std::vector<std::string> client;
  const char* chosen;  // "": no ALPN, which means HTTP/1.1
};

TEST(alpn, a_handshake_agrees_on_the_protocol_or_goes_on_without_one) {
  const handshake_case cases[] = {
      {{"h2", "http/1.1"}, {"h2", "http/1.1"}, "h2"},
      {{"h2", "http/1.1"}, {"http/1.1"}, "http/1.1"},
      {{"http/1.1"}, {"h2", "http/1.1"}, "http/1.1"},
      {{"h2", "http/1.1"}, {"http/1.0"}, ""},  // no overlap: no alert, no ALPN
      {{"h2", "http/1.1"}, {}, ""},            // a client without ALPN
  };
  for (const handshake_case& c : cases) {
    tls_config config;
    config.alpn = c.server;
    session server(make_set({"a"}, config));
    test_client client(testing::with_alpn(c.client));
    const auto reads = pump(client, server);
    EXPECT_FALSE(reads.error);
    ASSERT_TRUE(server.handshake_done());
    ASSERT_TRUE(client.handshake_done());
    EXPECT_EQ(server.alpn(), c.chosen);
    const unsigned char* seen = nullptr;
    unsigned int size = 0;
    SSL_get0_alpn_selected(client.ssl(), &seen, &size);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(seen), size), c.chosen);
  }
}

}  // namespace
}  // namespace teapot::tls
