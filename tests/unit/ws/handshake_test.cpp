#include "ws/handshake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws_test_support.h"

namespace teapot::ws {
namespace {

using e = handshake_error;
using s = http::status;

// RFC 6455 §1.3 and §4.2.2: the example key and its accept value.
TEST(handshake, accept_key_of_the_rfc_example) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

std::vector<header_field> valid_fields() {
  return {{"Host", "server.example.com"},   {"Upgrade", "websocket"},
          {"Connection", "Upgrade"},        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
          {"Origin", "http://example.com"}, {"Sec-WebSocket-Version", "13"}};
}

// The valid fields with one replaced (value set), removed (value null) or added (name absent).
std::vector<header_field> with(std::string_view name, const char* value) {
  std::vector<header_field> fields = valid_fields();
  bool found = false;
  for (auto it = fields.begin(); it != fields.end();) {
    if (it->name == name) {
      found = true;
      if (value == nullptr) {
        it = fields.erase(it);
        continue;
      }
      it->value = value;
    }
    ++it;
  }
  if (!found && value != nullptr) fields.push_back({name, value});
  return fields;
}

struct handshake_case {
  const char* name;
  std::string_view method;
  int version_minor;
  std::vector<header_field> fields;
  std::optional<handshake_error> error;  // nullopt: accepted
};

std::vector<handshake_case> handshake_cases() {
  std::vector<header_field> twice_key = valid_fields();
  twice_key.push_back({"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="});
  std::vector<header_field> connection_split = with("Connection", "keep-alive");
  connection_split.push_back({"Connection", "Upgrade"});
  return {
      {"rfc_example", "GET", 1, valid_fields(), std::nullopt},
      {"tokens_any_case", "GET", 1, with("Upgrade", "WebSocket"), std::nullopt},
      {"connection_list", "GET", 1, with("Connection", "keep-alive, upgrade"), std::nullopt},
      {"connection_in_two_lines", "GET", 1, connection_split, std::nullopt},
      {"upgrade_list", "GET", 1, with("Upgrade", "h2c, websocket"), std::nullopt},
      // A plain request on a WebSocket resource is told to upgrade (426, Upgrade: websocket).
      {"plain_get", "GET", 1, with("Upgrade", nullptr), e::not_websocket},
      {"plain_head", "HEAD", 1, with("Upgrade", nullptr), e::not_websocket},
      {"upgrade_to_another_protocol", "GET", 1, with("Upgrade", "h2c"), e::not_websocket},
      {"plain_post", "POST", 1, with("Upgrade", nullptr), e::method_not_allowed},
      // §4.2.2 item 4: another version is told the one spoken (426).
      {"version_8", "GET", 1, with("Sec-WebSocket-Version", "8"), e::unsupported_version},
      {"version_list", "GET", 1, with("Sec-WebSocket-Version", "13, 8"), e::unsupported_version},
      {"version_garbage", "GET", 1, with("Sec-WebSocket-Version", "x"), e::unsupported_version},
      // §4.2.1: a malformed handshake (400).
      {"post_upgrade", "POST", 1, valid_fields(), e::not_get},
      {"head_upgrade", "HEAD", 1, valid_fields(), e::not_get},
      {"http_1_0", "GET", 0, valid_fields(), e::not_http11},
      {"no_connection_upgrade", "GET", 1, with("Connection", "keep-alive"),
       e::no_connection_upgrade},
      {"no_connection", "GET", 1, with("Connection", nullptr), e::no_connection_upgrade},
      {"no_version", "GET", 1, with("Sec-WebSocket-Version", nullptr), e::missing_version},
      {"no_key", "GET", 1, with("Sec-WebSocket-Key", nullptr), e::missing_key},
      {"key_of_15_bytes", "GET", 1, with("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ="),
       e::bad_key},
      {"key_of_17_bytes", "GET", 1, with("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZXg="),
       e::bad_key},
      {"key_not_base64", "GET", 1, with("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZ!=="),
       e::bad_key},
      {"key_unpadded", "GET", 1, with("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ"), e::bad_key},
      {"key_twice", "GET", 1, twice_key, e::bad_key},
      {"subprotocol_not_a_token", "GET", 1, with("Sec-WebSocket-Protocol", "chat, a b"),
       e::bad_subprotocol},
  };
}

class handshake_cases_test : public testing::TestWithParam<handshake_case> {};

TEST_P(handshake_cases_test, decides) {
  const handshake_case& c = GetParam();
  const handshake_decision d = decide_handshake(c.method, c.version_minor, c.fields, {});
  EXPECT_EQ(d.accepted, !c.error);
  if (c.error) {
    EXPECT_EQ(d.error, *c.error) << describe(d.error);
  } else {
    EXPECT_EQ(d.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }
}

INSTANTIATE_TEST_SUITE_P(table, handshake_cases_test, testing::ValuesIn(handshake_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

std::string fields_text(std::span<const header_field> fields) {
  std::string out;
  for (const header_field& f : fields)
    out += std::string(f.name) + ": " + std::string(f.value) + "\n";
  return out;
}

// Each refusal's status and the fields it requires (RFC 9110 §15.5.22; RFC 6455 §4.4).
TEST(handshake, refusal_statuses_and_fields) {
  struct row {
    handshake_error error;
    http::status status;
    const char* fields;
  };
  const std::vector<row> table = {
      {e::not_websocket, s::upgrade_required, "Upgrade: websocket\nConnection: upgrade\n"},
      {e::unsupported_version, s::upgrade_required,
       "Upgrade: websocket\nConnection: upgrade\nSec-WebSocket-Version: 13\n"},
      {e::method_not_allowed, s::method_not_allowed, "Allow: GET, HEAD\n"},
      {e::not_extended_connect, s::method_not_allowed, "Allow: CONNECT\n"},
      {e::not_get, s::bad_request, ""},
      {e::not_http11, s::bad_request, ""},
      {e::no_connection_upgrade, s::bad_request, ""},
      {e::missing_key, s::bad_request, ""},
      {e::bad_key, s::bad_request, ""},
      {e::missing_version, s::bad_request, ""},
      {e::bad_subprotocol, s::bad_request, ""},
      {e::unsupported_protocol, s::not_implemented, ""},
  };
  ASSERT_EQ(static_cast<std::size_t>(e::unsupported_protocol) + 1, table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(table[i].error), i) << "table out of enum order";
    EXPECT_EQ(to_status(table[i].error), table[i].status) << describe(table[i].error);
    EXPECT_EQ(fields_text(refusal_fields(table[i].error)), table[i].fields);
  }
}

// §4.2.2 item 5.4: the first of the server's subprotocols that the client offers.
TEST(handshake, chooses_the_servers_first_subprotocol_the_client_offers) {
  struct row {
    std::vector<std::string> ours;
    std::vector<const char*> offered;  // one field line each
    std::string_view chosen;
  };
  const std::vector<row> table = {
      {{"chat", "superchat"}, {"superchat, chat"}, "chat"},
      {{"superchat", "chat"}, {"chat", "superchat"}, "superchat"},
      {{"v2"}, {"v1, v3"}, ""},
      {{}, {"chat"}, ""},
      {{"chat"}, {}, ""},
      {{"Chat"}, {"chat"}, ""},  // compared byte for byte
  };
  for (const row& r : table) {
    std::vector<header_field> fields = valid_fields();
    for (const char* v : r.offered)
      fields.push_back({"Sec-WebSocket-Protocol", v});
    handshake_options options;
    options.subprotocols = r.ours;
    const handshake_decision d = decide_handshake("GET", 1, fields, options);
    ASSERT_TRUE(d.accepted);
    EXPECT_EQ(d.subprotocol, r.chosen);
  }
}

// The 101's fields, with the subprotocol and the extension when chosen.
TEST(handshake, response_fields) {
  std::vector<header_field> fields = valid_fields();
  fields.push_back({"Sec-WebSocket-Protocol", "chat"});
  fields.push_back({"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"});
  const std::vector<std::string> ours = {"chat"};
  handshake_options options;
  options.subprotocols = ours;
  options.deflate = deflate_options{};
  const handshake_decision d = decide_handshake("GET", 1, fields, options);
  std::array<header_field, 5> storage;
  EXPECT_EQ(fields_text(response_fields(d, storage)),
            "Upgrade: websocket\nConnection: Upgrade\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n"
            "Sec-WebSocket-Protocol: chat\n"
            "Sec-WebSocket-Extensions: permessage-deflate\n");
  EXPECT_TRUE(d.deflate);

  const handshake_decision plain = decide_handshake("GET", 1, valid_fields(), options);
  EXPECT_EQ(fields_text(response_fields(plain, storage)),
            "Upgrade: websocket\nConnection: Upgrade\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n");
  EXPECT_FALSE(plain.deflate);
}

// Without deflate options, an offer is declined: no extension in the response.
TEST(handshake, declines_deflate_when_not_enabled) {
  const handshake_decision d =
      decide_handshake("GET", 1, with("Sec-WebSocket-Extensions", "permessage-deflate"), {});
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(d.extensions, "");
  EXPECT_FALSE(d.deflate);
}

// RFC 8441 §4-§5: extended CONNECT; no key, no accept, the same version rule.
TEST(handshake, extended_connect) {
  const std::vector<header_field> fields = {{"sec-websocket-version", "13"},
                                            {"sec-websocket-protocol", "chat"}};
  const std::vector<std::string> ours = {"chat"};
  handshake_options options;
  options.subprotocols = ours;
  const handshake_decision d = decide_extended_connect("websocket", fields, options);
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(d.accept, "");
  EXPECT_EQ(d.subprotocol, "chat");
  std::array<header_field, 5> storage;
  EXPECT_EQ(fields_text(response_fields(d, storage)), "Sec-WebSocket-Protocol: chat\n");

  EXPECT_EQ(decide_extended_connect("other", fields, options).error, e::unsupported_protocol);
  EXPECT_EQ(decide_extended_connect("", fields, options).error, e::unsupported_protocol);
  const std::vector<header_field> v8 = {{"sec-websocket-version", "8"}};
  EXPECT_EQ(decide_extended_connect("websocket", v8, options).error, e::unsupported_version);
  EXPECT_EQ(decide_extended_connect("websocket", {}, options).error, e::missing_version);
}

// Over HTTP/2 a WebSocket opens by extended CONNECT only: a GET cannot ask to upgrade
// (RFC 9113 §8.6), so it is told the method that can (405, Allow: CONNECT).
TEST(handshake, h2_request_other_than_connect) {
  const std::vector<header_field> fields = {{"sec-websocket-version", "13"}};
  EXPECT_TRUE(decide_h2_request("CONNECT", "websocket", fields, {}).accepted);
  EXPECT_EQ(decide_h2_request("CONNECT", "chat", fields, {}).error, e::unsupported_protocol);
  for (std::string_view method : {"GET", "HEAD", "POST"}) {
    const handshake_decision d = decide_h2_request(method, "", fields, {});
    EXPECT_FALSE(d.accepted);
    EXPECT_EQ(d.error, e::not_extended_connect);
  }
  EXPECT_EQ(to_status(e::not_extended_connect), http::status::method_not_allowed);
  EXPECT_EQ(fields_text(refusal_fields(e::not_extended_connect)), "Allow: CONNECT\n");
}

}  // namespace
}  // namespace teapot::ws
