#include "tls/context_set.h"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_client.h"

namespace teapot::tls {
namespace {

using testing::make_set;
using testing::test_certificates;

std::string error_of(const std::vector<certificate_config>& certificates,
                     const tls_config& config = {}) {
  try {
    context_set set(certificates, config);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

struct refusal_case {
  const char* why;
  std::vector<certificate_config> certificates;
  std::vector<std::string> message_holds;
};

TEST(context_set, a_bad_certificate_or_key_is_refused_with_the_file_and_openssls_reason) {
  const test_certificates& t = test_certificates::get();
  const std::string a_chain = t.chain("a").string();
  const std::string a_key = t.key("a").string();
  const std::string b_key = t.key("b").string();
  const std::string missing = (t.dir / "missing.pem").string();
  const refusal_case cases[] = {
      {"missing chain", {{missing, a_key, {}}}, {missing, "cannot be read", "No such file"}},
      {"missing key", {{a_chain, missing, {}}}, {missing, "cannot be read", "No such file"}},
      {"a key that is not the certificate's",
       {{a_chain, b_key, {}}},
       {b_key, "does not match the certificate of " + a_chain, "key values mismatch"}},
      {"a key given as the chain", {{a_key, a_key, {}}}, {a_key, "cannot be read"}},
      {"a certificate given as the key", {{a_chain, a_chain, {}}}, {a_chain, "cannot be read"}},
      {"the second of two", {t.config("a"), {a_chain, missing, {}}}, {missing}},
      {"no certificate", {}, {"needs a certificate"}},
  };
  for (const refusal_case& c : cases) {
    const std::string message = error_of(c.certificates);
    for (const std::string& part : c.message_holds)
      EXPECT_NE(message.find(part), std::string::npos) << c.why << ": " << message;
  }
}

TEST(context_set, a_bad_cipher_list_or_alpn_name_is_refused) {
  const std::vector<certificate_config> a{test_certificates::get().config("a")};
  tls_config ciphers;
  ciphers.ciphers = "NO-SUCH-CIPHER";
  EXPECT_NE(error_of(a, ciphers).find("NO-SUCH-CIPHER"), std::string::npos);
  tls_config alpn;
  alpn.alpn = {"h2", ""};
  EXPECT_NE(error_of(a, alpn).find("ALPN"), std::string::npos);
}

TEST(context_set, an_expired_certificate_is_loaded_with_a_warning) {
  const auto set = make_set({"a", "expired"});
  ASSERT_EQ(set->warnings().size(), 1U);
  const std::string& warning = set->warnings().front();
  EXPECT_NE(warning.find(test_certificates::get().chain("expired").string()), std::string::npos);
  EXPECT_NE(warning.find("expired on"), std::string::npos) << warning;
  EXPECT_TRUE(make_set({"a", "b"})->warnings().empty());
}

TEST(context_set, the_names_are_read_from_the_certificate_unless_given) {
  const auto set = make_set({"a", "b", "ip"});
  EXPECT_EQ(set->names(0), (std::vector<std::string>{"a.example", "www.a.example"}));
  EXPECT_EQ(set->names(1), (std::vector<std::string>{"b.example", "*.b.example"}));
  EXPECT_EQ(set->names(2), (std::vector<std::string>{"localhost", "127.0.0.1", "::1"}));

  certificate_config given = test_certificates::get().config("a");
  given.hosts = {"Other.Example"};
  const context_set overridden({given}, {});
  EXPECT_EQ(overridden.names(0), std::vector<std::string>{"other.example"});
}

struct select_case {
  const char* server_name;
  std::size_t chosen;  // a = 0, b = 1, c (names *.a.example and exact.b.example) = 2
};

// RFC 6066 §3: SNI picks the certificate; an exact name wins over a wildcard; else the default.
TEST(context_set, sni_picks_the_certificate_that_names_the_host_else_the_first) {
  const test_certificates& t = test_certificates::get();
  certificate_config c = t.config("ip");
  c.hosts = {"*.a.example", "exact.b.example"};
  const context_set set({t.config("a"), t.config("b"), c}, {});
  const select_case cases[] = {
      {"a.example", 0},     {"WWW.A.EXAMPLE", 0},   {"b.example", 1},
      {"x.b.example", 1},   {"exact.b.example", 2},  // exact beats b's wildcard
      {"www.a.example", 0}, {"other.a.example", 2},  // c's wildcard
      {"x.y.b.example", 0}, {"unknown.example", 0}, {"", 0},
  };
  for (const select_case& s : cases)
    EXPECT_EQ(set.select(s.server_name), s.chosen) << s.server_name;
}

struct covers_case {
  std::size_t certificate;
  const char* host;
  bool covered;
};

// RFC 9110 §15.5.20: a request for a host the connection's certificate does not cover is 421.
TEST(context_set, covers_tells_whether_a_host_may_be_served_under_a_certificate) {
  const auto set = make_set({"a", "b", "ip"});
  const covers_case cases[] = {
      {0, "a.example", true},  {0, "www.a.example", true}, {0, "b.example", false},
      {1, "b.example", true},  {1, "x.b.example", true},   {1, "x.y.b.example", false},
      {1, "a.example", false}, {2, "127.0.0.1", true},     {2, "[::1]", true},
      {2, "LOCALHOST", true},  {2, "127.0.0.2", false},
  };
  for (const covers_case& c : cases)
    EXPECT_EQ(set->covers(c.certificate, c.host), c.covered) << c.certificate << " " << c.host;
}

}  // namespace
}  // namespace teapot::tls
