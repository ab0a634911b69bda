#include "tls/self_signed.h"

#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "tls/certificate_names.h"
#include "tls/openssl_handles.h"

namespace teapot::tls {
namespace {

x509_ptr read_certificate(const std::string& pem) {
  const bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return x509_ptr(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
}

pkey_ptr read_key(const std::string& pem) {
  const bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return pkey_ptr(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
}

TEST(self_signed, every_host_is_in_the_subject_alternative_name_by_its_kind) {
  const std::vector<std::string> hosts{"dev.example", "*.dev.example", "localhost",
                                       "127.0.0.1",   "::1",           "2001:db8::a"};
  const certificate_pem pem = make_self_signed(hosts, 30);
  const x509_ptr x = read_certificate(pem.certificate);
  ASSERT_TRUE(x);
  EXPECT_EQ(certificate_names(x.get()), hosts);
  // IP addresses are iPAddress entries, not DNS names that look like them.
  const general_names_ptr alt(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr)));
  ASSERT_EQ(sk_GENERAL_NAME_num(alt.get()), 6);
  const int kinds[] = {GEN_DNS, GEN_DNS, GEN_DNS, GEN_IPADD, GEN_IPADD, GEN_IPADD};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(sk_GENERAL_NAME_value(alt.get(), i)->type, kinds[i]) << i;
  EXPECT_NE(X509_check_ip_asc(x.get(), "127.0.0.1", 0), 0);
  EXPECT_EQ(X509_check_host(x.get(), "x.dev.example", 0, 0, nullptr), 1);
}

TEST(self_signed, it_is_an_end_entity_certificate_for_servers_signed_with_sha256) {
  const certificate_pem pem = make_self_signed({"dev.example"}, 30);
  const x509_ptr x = read_certificate(pem.certificate);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
  EXPECT_EQ(X509_check_ca(x.get()), 0);  // CA:FALSE
  auto* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x.get(), NID_basic_constraints, nullptr, nullptr));
  ASSERT_NE(constraints, nullptr);
  EXPECT_EQ(constraints->ca, 0);
  BASIC_CONSTRAINTS_free(constraints);
  EXPECT_NE(X509_get_extension_flags(x.get()) & EXFLAG_XKUSAGE, 0U);
  EXPECT_NE(X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER, 0U);
  EXPECT_EQ(X509_get_signature_nid(x.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_verify(x.get(), X509_get0_pubkey(x.get())), 1);  // self-signed
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())), 0);
}

TEST(self_signed, the_key_is_ec_p256_and_matches_the_certificate) {
  const certificate_pem pem = make_self_signed({"dev.example"}, 30);
  EXPECT_EQ(pem.key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0U);  // PKCS #8, unencrypted
  const pkey_ptr key = read_key(pem.key);
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
  char curve[64] = {};
  std::size_t size = 0;
  EXPECT_EQ(EVP_PKEY_get_group_name(key.get(), curve, sizeof curve, &size), 1);
  EXPECT_STREQ(curve, "prime256v1");
  const x509_ptr x = read_certificate(pem.certificate);
  EXPECT_EQ(X509_check_private_key(x.get(), key.get()), 1);
}

TEST(self_signed, serials_are_random_positive_and_159_bits) {
  const x509_ptr one = read_certificate(make_self_signed({"dev.example"}, 1).certificate);
  const x509_ptr two = read_certificate(make_self_signed({"dev.example"}, 1).certificate);
  const ASN1_INTEGER* a = X509_get0_serialNumber(one.get());
  const ASN1_INTEGER* b = X509_get0_serialNumber(two.get());
  EXPECT_NE(ASN1_INTEGER_cmp(a, b), 0);
  BIGNUM* bn = ASN1_INTEGER_to_BN(a, nullptr);
  EXPECT_EQ(BN_num_bits(bn), 159);
  EXPECT_FALSE(BN_is_negative(bn));
  BN_free(bn);
}

struct validity_case {
  int days;
  bool valid_now;
  bool valid_in_days;  // still valid days - 1 days from now
};

TEST(self_signed, it_is_valid_for_the_days_asked_and_zero_or_fewer_days_give_an_expired_one) {
  const validity_case cases[] = {
      {1, true, true}, {365, true, true}, {0, false, false}, {-3, false, false}};
  for (const validity_case& c : cases) {
    const x509_ptr x = read_certificate(make_self_signed({"dev.example"}, c.days).certificate);
    EXPECT_EQ(!validity_problem(x.get(), "f").has_value(), c.valid_now) << c.days;
    if (c.days <= 0) continue;
    time_t later = time(nullptr) + static_cast<time_t>(c.days - 1) * 86400 + 3600;
    EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x.get()), &later), 1) << c.days;
    time_t after_end = time(nullptr) + static_cast<time_t>(c.days) * 86400 + 60;
    EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x.get()), &after_end), -1) << c.days;
  }
}

TEST(self_signed, a_host_that_is_no_name_nor_address_is_refused) {
  const std::vector<std::vector<std::string>> refused{{},
                                                      {""},
                                                      {"a b.example"},
                                                      {"a,DNS:evil.example"},
                                                      {"dev.example", "under_score.example"},
                                                      {"a..example"},
                                                      {".example"},
                                                      {"example."}};
  for (const auto& hosts : refused)
    EXPECT_THROW(make_self_signed(hosts, 1), std::invalid_argument) << hosts.size();
}

}  // namespace
}  // namespace teapot::tls

namespace teapot::tls {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::perms mode_of(const std::filesystem::path& path) {
  return std::filesystem::status(path).permissions() & std::filesystem::perms::mask;
}

TEST(self_signed, the_files_are_written_whole_with_their_modes_and_kept_unless_overwriting) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("teapot-tls-write-" + std::to_string(::getpid())) / "new";
  std::filesystem::remove_all(dir.parent_path());
  const certificate_pem first = make_self_signed({"dev.example"}, 1);
  write_pem_files(dir.string(), first, false);
  EXPECT_EQ(read_text(dir / "cert.pem"), first.certificate);
  EXPECT_EQ(read_text(dir / "key.pem"), first.key);
  using std::filesystem::perms;
  EXPECT_EQ(mode_of(dir / "cert.pem"),
            perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
  EXPECT_EQ(mode_of(dir / "key.pem"), perms::owner_read | perms::owner_write);

  const certificate_pem second = make_self_signed({"dev.example"}, 1);
  try {
    write_pem_files(dir.string(), second, false);
    ADD_FAILURE() << "an existing certificate was replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "cert.pem").string()), std::string::npos);
  }
  EXPECT_EQ(read_text(dir / "key.pem"), first.key);
  write_pem_files(dir.string(), second, true);
  EXPECT_EQ(read_text(dir / "cert.pem"), second.certificate);
  EXPECT_EQ(read_text(dir / "key.pem"), second.key);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 2);  // no leftovers
  std::filesystem::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace teapot::tls
