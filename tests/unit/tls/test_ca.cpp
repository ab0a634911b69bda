#include "test_ca.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace teapot::tls::testing {
namespace {

template <class T, void (*Free)(T*)>
using owned = std::unique_ptr<T, openssl_deleter<T, Free>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test CA: ") + what);
}

pkey_ptr make_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  const owned<X509_EXTENSION, X509_EXTENSION_free> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  check(ext != nullptr && X509_add_ext(certificate, ext.get(), -1) == 1, value);
}

x509_ptr make_certificate(EVP_PKEY* key, const std::string& cn, long serial) {
  x509_ptr c(X509_new());
  check(c != nullptr, "X509_new");
  X509_set_version(c.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 30L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_pubkey(c.get(), key);
  return c;
}

}  // namespace

issued make_authority(const std::string& cn) {
  issued out{nullptr, make_key()};
  out.certificate = make_certificate(out.key.get(), cn, 1);
  X509* c = out.certificate.get();
  X509_set_issuer_name(c, X509_get_subject_name(c));
  add_extension(c, c, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_extension(c, c, NID_subject_key_identifier, "hash");
  check(X509_sign(c, out.key.get(), EVP_sha256()) > 0, "self-signature");
  return out;
}

issued issue(const issued& authority, role r, long serial) {
  issued out{nullptr, make_key()};
  const char* cn = r == role::server ? "localhost" : "teapot test responder";
  out.certificate = make_certificate(out.key.get(), cn, serial);
  X509* c = out.certificate.get();
  X509* ca = authority.certificate.get();
  X509_set_issuer_name(c, X509_get_subject_name(ca));
  add_extension(c, ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(c, ca, NID_authority_key_identifier, "keyid");
  add_extension(c, ca, NID_key_usage, "critical,digitalSignature");
  if (r == role::server) {
    add_extension(c, ca, NID_ext_key_usage, "serverAuth");
    add_extension(c, ca, NID_subject_alt_name, "DNS:localhost");
    add_extension(c, ca, NID_info_access, "OCSP;URI:http://127.0.0.1:1/ocsp");
  } else if (r == role::responder) {
    add_extension(c, ca, NID_ext_key_usage, "OCSPSigning");
  }
  check(X509_sign(c, authority.key.get(), EVP_sha256()) > 0, "signature");
  return out;
}

std::vector<unsigned char> make_ocsp_response(const ocsp_case& c) {
  const owned<OCSP_BASICRESP, OCSP_BASICRESP_free> basic(OCSP_BASICRESP_new());
  const owned<ASN1_TIME, ASN1_TIME_free> this_update(
      ASN1_GENERALIZEDTIME_set(nullptr, c.this_update));
  const owned<ASN1_TIME, ASN1_TIME_free> next_update(
      c.next_update ? ASN1_GENERALIZEDTIME_set(nullptr, *c.next_update) : nullptr);
  const owned<ASN1_TIME, ASN1_TIME_free> revoked_at(
      ASN1_GENERALIZEDTIME_set(nullptr, c.this_update - 86400));
  for (X509* subject : {c.subject, c.also}) {
    if (subject == nullptr) continue;
    const owned<OCSP_CERTID, OCSP_CERTID_free> id(OCSP_cert_to_id(c.id_hash, subject, c.issuer));
    check(id != nullptr && OCSP_basic_add1_status(
                               basic.get(), id.get(), c.status, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
                               revoked_at.get(), this_update.get(), next_update.get()) != nullptr,
          "status");
  }
  check(OCSP_basic_sign(basic.get(), c.signer->certificate.get(), c.signer->key.get(), EVP_sha256(),
                        nullptr, 0) == 1,
        "response signature");
  const bool success = c.response_status == OCSP_RESPONSE_STATUS_SUCCESSFUL;
  const owned<OCSP_RESPONSE, OCSP_RESPONSE_free> response(
      OCSP_response_create(c.response_status, success ? basic.get() : nullptr));
  check(response != nullptr, "response");
  unsigned char* der = nullptr;
  const int size = i2d_OCSP_RESPONSE(response.get(), &der);
  check(size > 0, "DER");
  std::vector<unsigned char> out(der, der + size);
  OPENSSL_free(der);
  return out;
}

void write_der(const std::filesystem::path& file, const std::vector<unsigned char>& der) {
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
}

void write_pem(const std::filesystem::path& file, const std::vector<X509*>& certificates) {
  const bio_ptr out(BIO_new_file(file.c_str(), "w"));
  check(out != nullptr, "chain file");
  for (X509* c : certificates)
    check(PEM_write_bio_X509(out.get(), c) == 1, "PEM certificate");
}

void write_pem(const std::filesystem::path& file, EVP_PKEY* key) {
  const bio_ptr out(BIO_new_file(file.c_str(), "w"));
  check(out != nullptr &&
            PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM key");
}

}  // namespace teapot::tls::testing
