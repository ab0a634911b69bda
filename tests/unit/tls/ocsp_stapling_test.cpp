#include "tls/ocsp_stapling.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_ca.h"
#include "test_client.h"
#include "tls/context_set.h"
#include "tls/session.h"

namespace teapot::tls {
namespace {

using testing::issue;
using testing::issued;
using testing::make_authority;
using testing::make_ocsp_response;
using testing::ocsp_case;
using testing::role;
using testing::test_certificates;
using testing::test_client;

constexpr std::time_t hour = 3600;

// A CA, the leaf for localhost it issued, and files: the chain (leaf, CA), the leaf alone, the
// leaf followed by a certificate that did not issue it, the key, and responses.
struct files {
  static const files& get() {
    static const files made;
    return made;
  }
  files() {
    dir = std::filesystem::temp_directory_path() / ("teapot-ocsp-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    X509* leaf_cert = leaf.certificate.get();
    testing::write_pem(path("chain.pem"), {leaf_cert, ca.certificate.get()});
    testing::write_pem(path("alone.pem"), {leaf_cert});
    testing::write_pem(path("stranger.pem"), {leaf_cert, stranger.certificate.get()});
    testing::write_pem(path("leaf.key"), leaf.key.get());
    ocsp_case c;
    c.subject = leaf_cert;
    c.issuer = ca.certificate.get();
    c.this_update = std::time(nullptr) - hour;
    c.next_update = std::time(nullptr) + 7 * 24 * hour;
    c.signer = &ca;
    good = make_ocsp_response(c);
    testing::write_der(path("good.der"), good);
    c.next_update = std::time(nullptr) - 1;
    testing::write_der(path("stale.der"), make_ocsp_response(c));
  }
  ~files() { std::filesystem::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }

  certificate_config config(const std::string& chain, const std::string& response) const {
    return {path(chain), path("leaf.key"), {}, response.empty() ? "" : path(response)};
  }

  issued ca = make_authority("teapot test CA");
  issued leaf = issue(ca, role::server, 0x1001);
  issued stranger = make_authority("stranger CA");
  std::vector<unsigned char> good;
  std::filesystem::path dir;
};

std::string error_of(const certificate_config& c) {
  try {
    context_set set({c}, tls_config{});
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// The OCSP response the client got, or nullopt; the handshake must complete.
std::optional<std::vector<unsigned char>> stapled(const std::shared_ptr<context_set>& set,
                                                  const char* sni, int max_version,
                                                  bool ask = true) {
  session server(set);
  test_client client(testing::with_sni(sni, max_version));
  if (ask) SSL_set_tlsext_status_type(client.ssl(), TLSEXT_STATUSTYPE_ocsp);
  const auto reads = testing::pump(client, server);
  EXPECT_FALSE(reads.error) << server.error();
  EXPECT_TRUE(client.handshake_done());
  const unsigned char* response = nullptr;
  const long size = SSL_get_tlsext_status_ocsp_resp(client.ssl(), &response);
  if (size <= 0 || response == nullptr) return std::nullopt;
  return std::vector<unsigned char>(response, response + size);
}

TEST(ocsp_stapling, the_chain_must_hold_the_leafs_issuer_second) {
  const files& f = files::get();
  const std::string alone = error_of(f.config("alone.pem", "good.der"));
  EXPECT_NE(
      alone.find("OCSP response " + f.path("good.der") + " cannot be checked: certificate chain " +
                 f.path("alone.pem") + " holds no certificate after its leaf"),
      std::string::npos)
      << alone;
  const std::string stranger = error_of(f.config("stranger.pem", "good.der"));
  EXPECT_NE(
      stranger.find(f.path("stranger.pem") + ": its second certificate did not issue the first"),
      std::string::npos)
      << stranger;
  const std::string missing = error_of(f.config("chain.pem", "missing.der"));
  EXPECT_NE(missing.find("OCSP response " + f.path("missing.der") + " cannot be read"),
            std::string::npos)
      << missing;
  EXPECT_EQ(error_of(f.config("chain.pem", "good.der")), "(no error)");
}

struct handshake_case {
  const char* why;
  const char* response;  // "": no ocsp_response_file
  bool ask;              // the client sends status_request
  bool stapled;
};

// RFC 6066 §8 in TLS 1.2 (CertificateStatus) and RFC 8446 §4.4.2.1 in TLS 1.3 (an extension of
// the leaf's CertificateEntry): the client that asks gets the file's bytes.
TEST(ocsp_stapling, a_client_that_asks_gets_the_files_response_in_tls_1_2_and_1_3) {
  const files& f = files::get();
  const handshake_case cases[] = {
      {"a fresh response", "good.der", true, true},
      {"a client that does not ask", "good.der", false, false},
      {"no response configured", "", true, false},
      {"a stale response", "stale.der", true, false},
  };
  for (const handshake_case& c : cases) {
    const auto set =
        std::make_shared<context_set>(std::vector{f.config("chain.pem", c.response)}, tls_config{});
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
      const auto got = stapled(set, "localhost", version, c.ask);
      EXPECT_EQ(got.has_value(), c.stapled) << c.why << ", " << version;
      if (got) {
        EXPECT_EQ(*got, f.good) << c.why;
      }
    }
  }
}

TEST(ocsp_stapling, a_stale_response_is_loaded_with_a_warning) {
  const files& f = files::get();
  const context_set set({f.config("chain.pem", "stale.der")}, tls_config{});
  ASSERT_EQ(set.warnings().size(), 1U);
  EXPECT_NE(set.warnings().front().find("OCSP response " + f.path("stale.der") + " expired on"),
            std::string::npos)
      << set.warnings().front();
}

// A response fresh when loaded goes stale while the server runs: from its nextUpdate on, the
// handshakes get none. The staple of the set's context is replaced by one whose date is over.
TEST(ocsp_stapling, a_response_is_no_longer_stapled_once_its_next_update_has_passed) {
  const files& f = files::get();
  const auto set =
      std::make_shared<context_set>(std::vector{f.config("chain.pem", "good.der")}, tls_config{});
  ocsp_staple passing;
  passing.der = f.good;
  passing.next_update = std::time(nullptr) + 3600;
  SSL_CTX* ctx = SSL_get_SSL_CTX(set->new_ssl().get());
  staple_ocsp(ctx, passing);
  EXPECT_EQ(stapled(set, "localhost", TLS1_3_VERSION), f.good);
  passing.next_update = std::time(nullptr) - 1;
  EXPECT_FALSE(stapled(set, "localhost", TLS1_3_VERSION));
  EXPECT_FALSE(stapled(set, "localhost", TLS1_2_VERSION));
}

// The callback is the context's that SNI chose (RFC 6066 §3): the default certificate has no
// response, the second has one.
TEST(ocsp_stapling, the_response_is_the_one_of_the_certificate_sni_chose) {
  const files& f = files::get();
  const auto set = std::make_shared<context_set>(
      std::vector{test_certificates::get().config("a"), f.config("chain.pem", "good.der")},
      tls_config{});
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    EXPECT_EQ(stapled(set, "localhost", version), f.good) << version;
    EXPECT_FALSE(stapled(set, "a.example", version)) << version;
    EXPECT_FALSE(stapled(set, "", version)) << version;
  }
}

}  // namespace
}  // namespace teapot::tls
