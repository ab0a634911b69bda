#include "tls/ocsp_response.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_ca.h"

namespace teapot::tls {
namespace {

using testing::issue;
using testing::issued;
using testing::make_authority;
using testing::make_ocsp_response;
using testing::ocsp_case;
using testing::role;

constexpr std::time_t now = 1'800'000'000;  // 2027-01-15
constexpr std::time_t hour = 3600;
constexpr std::time_t week = 7 * 24 * hour;

// The authority, the leaf the responses are checked against, and their neighbours.
struct pki {
  static const pki& get() {
    static const pki made;
    return made;
  }
  issued ca = make_authority("teapot test CA");
  issued leaf = issue(ca, role::server, 0x1001);
  issued other_leaf = issue(ca, role::server, 0x2002);
  issued responder = issue(ca, role::responder, 0x3003);
  issued no_signing = issue(ca, role::no_signing, 0x4004);
  issued other_ca = make_authority("other CA");
  issued twin_ca = make_authority("teapot test CA");  // the same name, another key
  issued other_ca_leaf = issue(other_ca, role::server, 0x1001);
};

// A good response about the leaf, signed by its CA, valid for a week from an hour ago.
ocsp_case good() {
  const pki& p = pki::get();
  ocsp_case c;
  c.subject = p.leaf.certificate.get();
  c.issuer = p.ca.certificate.get();
  c.this_update = now - hour;
  c.next_update = now + week;
  c.signer = &p.ca;
  return c;
}

template <class Change>
ocsp_case good_but(Change change) {
  ocsp_case c = good();
  change(c);
  return c;
}

ocsp_staple check(const std::vector<unsigned char>& der) {
  const pki& p = pki::get();
  return check_ocsp_response(der, p.leaf.certificate.get(), p.ca.certificate.get(), now,
                             "resp.der");
}

std::string refusal_of(const std::vector<unsigned char>& der) {
  try {
    check(der);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}

struct refusal_case {
  const char* why;
  std::vector<unsigned char> der;
  std::string message_holds;
};

// RFC 6960 §4.2.1, §4.1.1, §4.2.2.2: what is not a response about this certificate, from its
// issuer, refuses the configuration.
TEST(ocsp_response, a_response_that_is_not_about_this_certificate_from_its_issuer_is_refused) {
  const pki& p = pki::get();
  std::vector<unsigned char> trailing = make_ocsp_response(good());
  trailing.push_back(0);
  const refusal_case cases[] = {
      {"not DER", {'n', 'o', 't'}, "is not a DER OCSPResponse"},
      {"empty", {}, "is not a DER OCSPResponse"},
      {"a byte after it", trailing, "has 1 byte after its OCSPResponse"},
      {"tryLater", make_ocsp_response(good_but([](ocsp_case& c) {
         c.response_status = OCSP_RESPONSE_STATUS_TRYLATER;
       })),
       "has the responseStatus trylater, not successful"},
      {"unauthorized", make_ocsp_response(good_but([](ocsp_case& c) {
         c.response_status = OCSP_RESPONSE_STATUS_UNAUTHORIZED;
       })),
       "has the responseStatus unauthorized, not successful"},
      {"another certificate of the same issuer", make_ocsp_response(good_but([&](ocsp_case& c) {
         c.subject = p.other_leaf.certificate.get();
       })),
       "is about another certificate: serial 0x2002, where the certificate's is 0x1001"},
      {"the same serial from another issuer", make_ocsp_response(good_but([&](ocsp_case& c) {
         c.subject = p.other_ca_leaf.certificate.get();
         c.issuer = p.other_ca.certificate.get();
         c.signer = &p.other_ca;
       })),
       "is about serial 0x1001 of another issuer than CN=teapot test CA"},
      {"two certificates",
       make_ocsp_response(good_but([&](ocsp_case& c) { c.also = p.other_leaf.certificate.get(); })),
       "holds 2 certificate statuses"},
      {"signed by another authority",
       make_ocsp_response(good_but([&](ocsp_case& c) { c.signer = &p.other_ca; })),
       "is signed neither by the certificate's issuer, CN=teapot test CA, nor by a responder"},
      {"signed by an authority of the same name",
       make_ocsp_response(good_but([&](ocsp_case& c) { c.signer = &p.twin_ca; })),
       "is signed neither"},
      {"signed by the leaf itself",
       make_ocsp_response(good_but([&](ocsp_case& c) { c.signer = &p.leaf; })),
       "is signed neither"},
      {"signed by a certificate of the issuer without id-kp-OCSPSigning",
       make_ocsp_response(good_but([&](ocsp_case& c) { c.signer = &p.no_signing; })),
       "is signed neither"},
  };
  for (const refusal_case& c : cases) {
    const std::string message = refusal_of(c.der);
    EXPECT_NE(message.find("OCSP response resp.der "), std::string::npos)
        << c.why << ": " << message;
    EXPECT_NE(message.find(c.message_holds), std::string::npos) << c.why << ": " << message;
  }
}

struct kept_case {
  const char* why;
  ocsp_case response;
  bool stapled;
  ocsp_cert_status status;
  const char* warning_holds;  // nullptr: no warning
};

// What is kept: stapled unless stale (RFC 6960 §4.2.2.1), with a warning for the log when it
// is not stapled or when it does not say "good".
TEST(ocsp_response, a_stale_response_is_kept_unstapled_and_any_status_is_stapled_with_a_warning) {
  const pki& p = pki::get();
  const kept_case cases[] = {
      {"good, SHA-1 CertID", good(), true, ocsp_cert_status::good, nullptr},
      {"good, SHA-256 CertID", good_but([](ocsp_case& c) { c.id_hash = EVP_sha256(); }), true,
       ocsp_cert_status::good, nullptr},
      {"signed by a delegated responder", good_but([&](ocsp_case& c) { c.signer = &p.responder; }),
       true, ocsp_cert_status::good, nullptr},
      {"no nextUpdate", good_but([](ocsp_case& c) { c.next_update.reset(); }), true,
       ocsp_cert_status::good, nullptr},
      {"revoked", good_but([](ocsp_case& c) { c.status = V_OCSP_CERTSTATUS_REVOKED; }), true,
       ocsp_cert_status::revoked,
       "says that certificate 0x1001 was revoked on 2027-01-14 07:00:00 UTC (keyCompromise); "
       "it is stapled"},
      {"unknown", good_but([](ocsp_case& c) { c.status = V_OCSP_CERTSTATUS_UNKNOWN; }), true,
       ocsp_cert_status::unknown, "says that its responder does not know certificate 0x1001"},
      {"expired a second ago", good_but([](ocsp_case& c) { c.next_update = now - 1; }), false,
       ocsp_cert_status::good, "expired on 2027-01-15 07:59:59 UTC"},
      {"expiring now", good_but([](ocsp_case& c) { c.next_update = now; }), false,
       ocsp_cert_status::good, "expired on"},
      {"expired and revoked", good_but([](ocsp_case& c) {
         c.next_update = now - hour;
         c.status = V_OCSP_CERTSTATUS_REVOKED;
       }),
       false, ocsp_cert_status::good, "expired on"},
      {"dated five minutes ahead", good_but([](ocsp_case& c) { c.this_update = now + 300; }), true,
       ocsp_cert_status::good, nullptr},
      {"dated more than five minutes ahead",
       good_but([](ocsp_case& c) { c.this_update = now + 301; }), false, ocsp_cert_status::good,
       "is dated 2027-01-15 08:05:01 UTC, ahead of this server's clock"},
  };
  for (const kept_case& c : cases) {
    const std::vector<unsigned char> der = make_ocsp_response(c.response);
    const ocsp_staple staple = check(der);
    EXPECT_EQ(staple.is_stapled_at(now), c.stapled) << c.why;
    EXPECT_EQ(staple.der, c.stapled ? der : std::vector<unsigned char>{}) << c.why;
    EXPECT_EQ(staple.this_update, c.response.this_update) << c.why;
    EXPECT_EQ(staple.next_update, c.response.next_update) << c.why;
    if (!c.stapled) continue;
    EXPECT_EQ(staple.status, c.status) << c.why;
    if (c.warning_holds == nullptr) {
      EXPECT_FALSE(staple.warning) << c.why << ": " << *staple.warning;
    } else {
      ASSERT_TRUE(staple.warning) << c.why;
      EXPECT_NE(staple.warning->find(c.warning_holds), std::string::npos)
          << c.why << ": " << *staple.warning;
    }
  }
}

TEST(ocsp_response, the_warning_of_a_stale_response_names_the_file_and_the_cure) {
  const ocsp_staple staple =
      check(make_ocsp_response(good_but([](ocsp_case& c) { c.next_update = now - hour; })));
  ASSERT_TRUE(staple.warning);
  EXPECT_EQ(*staple.warning,
            "OCSP response resp.der expired on 2027-01-15 07:00:00 UTC; it is not stapled until "
            "a fresh one replaces it and teapot reloads");
}

// A response valid when loaded stops being stapled when its nextUpdate comes.
TEST(ocsp_response, a_response_is_stapled_until_its_next_update) {
  const ocsp_staple staple = check(make_ocsp_response(good()));
  EXPECT_TRUE(staple.is_stapled_at(now));
  EXPECT_TRUE(staple.is_stapled_at(now + week - 1));
  EXPECT_FALSE(staple.is_stapled_at(now + week));
  const ocsp_staple forever =
      check(make_ocsp_response(good_but([](ocsp_case& c) { c.next_update.reset(); })));
  EXPECT_TRUE(forever.is_stapled_at(now + 100 * week));
}

}  // namespace
}  // namespace teapot::tls
