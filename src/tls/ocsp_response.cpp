#include "tls/ocsp_response.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "tls/certificate_names.h"
#include "tls/openssl_error.h"
#include "tls/openssl_handles.h"

namespace teapot::tls {
namespace {

using ocsp_response_ptr =
    std::unique_ptr<OCSP_RESPONSE, openssl_deleter<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using ocsp_basic_ptr =
    std::unique_ptr<OCSP_BASICRESP, openssl_deleter<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using ocsp_certid_ptr =
    std::unique_ptr<OCSP_CERTID, openssl_deleter<OCSP_CERTID, OCSP_CERTID_free>>;
using x509_store_ptr = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE, X509_STORE_free>>;

// The stack holds certificates it does not own.
struct x509_stack_deleter {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }
};
using x509_stack_ptr = std::unique_ptr<STACK_OF(X509), x509_stack_deleter>;

// A responder's clock may run a little ahead of the server's: RFC 6960 leaves the tolerance to
// the client, and `openssl ocsp` takes five minutes (-validity_period 300).
constexpr std::time_t clock_skew = 5 * 60;

[[noreturn]] void refuse(const std::string& file, const std::string& why) {
  throw_openssl_error("OCSP response " + file + " " + why);
}

std::string serial_text(const ASN1_INTEGER* serial) {
  const std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>> n(
      ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = n ? BN_bn2hex(n.get()) : nullptr;
  if (hex == nullptr) return "(unreadable)";
  std::string out = std::string("0x") + hex;
  OPENSSL_free(hex);
  return out;
}

std::string subject_text(X509* certificate) {
  const bio_ptr out(BIO_new(BIO_s_mem()));
  if (!out ||
      X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253) < 0)
    return "(unreadable)";
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::optional<std::time_t> time_of(const ASN1_GENERALIZEDTIME* t) {
  tm when{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &when) != 1) return std::nullopt;
  return ::timegm(&when);
}

ocsp_response_ptr parse(std::span<const unsigned char> der, const std::string& file) {
  const unsigned char* p = der.data();
  ocsp_response_ptr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!response)
    refuse(file, "is not a DER OCSPResponse (RFC 6960 §4.2.1), as `openssl ocsp -respout` writes");
  const auto rest = static_cast<std::size_t>(der.data() + der.size() - p);
  if (rest != 0)
    refuse(file, "has " + std::to_string(rest) + (rest == 1 ? " byte" : " bytes") +
                     " after its OCSPResponse");
  const int status = OCSP_response_status(response.get());
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    refuse(file, std::string("has the responseStatus ") + OCSP_response_status_str(status) +
                     ", not successful: it holds no certificate status (RFC 6960 §4.2.1)");
  return response;
}

// RFC 6960 §4.1.1: the CertID hashes the issuer's name and key with the algorithm the response
// names, so ours is computed with that one.
void check_cert_id(OCSP_SINGLERESP* single, X509* leaf, X509* issuer, const std::string& file) {
  auto* given = const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single));
  ASN1_OBJECT* algorithm = nullptr;
  ASN1_INTEGER* serial = nullptr;
  OCSP_id_get0_info(nullptr, &algorithm, nullptr, &serial, given);
  const EVP_MD* md = EVP_get_digestbyobj(algorithm);
  if (md == nullptr) refuse(file, "hashes its CertID with an algorithm OpenSSL does not know");
  const ocsp_certid_ptr ours(OCSP_cert_to_id(md, leaf, issuer));
  if (!ours) refuse(file, "cannot be matched: OpenSSL cannot compute the certificate's CertID");
  if (OCSP_id_cmp(ours.get(), given) == 0) return;
  const ASN1_INTEGER* leaf_serial = X509_get0_serialNumber(leaf);
  if (ASN1_INTEGER_cmp(serial, leaf_serial) != 0)
    refuse(file, "is about another certificate: serial " + serial_text(serial) +
                     ", where the certificate's is " + serial_text(leaf_serial));
  refuse(file, "is about serial " + serial_text(serial) + " of another issuer than " +
                   subject_text(issuer));
}

// RFC 6960 §4.2.2.2: signed by the issuer itself, or by a responder whose certificate the
// issuer signed with id-kp-OCSPSigning. The issuer is the only trust anchor; whether a
// certificate has expired is another question (validity_problem), not asked here.
void check_signature(OCSP_BASICRESP* basic, X509* issuer, const std::string& file) {
  const x509_store_ptr store(X509_STORE_new());
  const x509_stack_ptr untrusted(sk_X509_new_null());
  if (!store || !untrusted || X509_STORE_add_cert(store.get(), issuer) != 1 ||
      sk_X509_push(untrusted.get(), issuer) <= 0)
    refuse(file, "cannot be checked: out of memory");
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  // OCSP_NOEXPLICIT: no other anchor than the issuer may vouch for a responder.
  if (OCSP_basic_verify(basic, untrusted.get(), store.get(), OCSP_NOEXPLICIT) != 1)
    refuse(file, "is signed neither by the certificate's issuer, " + subject_text(issuer) +
                     ", nor by a responder it delegated to (RFC 6960 §4.2.2.2)");
}

// The dates and the status: what to staple, and what the log should be told.
void judge(OCSP_SINGLERESP* single, X509* leaf, std::time_t now, const std::string& file,
           ocsp_staple& out) {
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  const int status =
      OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
  const auto this_time = time_of(this_update);
  if (status < 0 || !this_time) refuse(file, "has an unreadable SingleResponse");
  out.this_update = *this_time;
  if (next_update != nullptr) {
    out.next_update = time_of(next_update);
    if (!out.next_update) refuse(file, "has an unreadable nextUpdate");
  }
  const std::string renew = "; it is not stapled until a fresh one replaces it and teapot reloads";
  if (out.next_update && *out.next_update <= now) {
    out.warning = "OCSP response " + file + " expired on " + time_text(next_update) + renew;
  } else if (out.this_update > now + clock_skew) {
    out.warning = "OCSP response " + file + " is dated " + time_text(this_update) +
                  ", ahead of this server's clock" + renew;
  }
  if (out.warning) {
    out.der.clear();
    return;
  }
  const std::string serial = serial_text(X509_get0_serialNumber(leaf));
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    out.status = ocsp_cert_status::revoked;
    const std::string why =
        reason >= 0 ? std::string(" (") + OCSP_crl_reason_str(reason) + ")" : "";
    out.warning = "OCSP response " + file + " says that certificate " + serial +
                  " was revoked on " + time_text(revoked_at) + why +
                  "; it is stapled, and clients will refuse the certificate";
  } else if (status == V_OCSP_CERTSTATUS_UNKNOWN) {
    out.status = ocsp_cert_status::unknown;
    out.warning = "OCSP response " + file + " says that its responder does not know certificate " +
                  serial + "; it is stapled, and clients may refuse the certificate";
  }
}

}  // namespace

ocsp_staple check_ocsp_response(std::span<const unsigned char> der, X509* leaf, X509* issuer,
                                std::time_t now, const std::string& file) {
  ERR_clear_error();  // what the queue says next is about this response
  const ocsp_response_ptr response = parse(der, file);
  const ocsp_basic_ptr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) refuse(file, "is not a basic OCSP response (id-pkix-ocsp-basic, RFC 6960 §4.2.1)");
  const int count = OCSP_resp_count(basic.get());
  if (count != 1)
    refuse(file, "holds " + std::to_string(count) +
                     " certificate statuses; a stapled response holds the certificate's alone");
  OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
  check_cert_id(single, leaf, issuer, file);
  check_signature(basic.get(), issuer, file);
  ocsp_staple out;
  out.der.assign(der.begin(), der.end());
  judge(single, leaf, now, file, out);
  return out;
}

ocsp_staple read_ocsp_response(const std::string& file, X509* leaf, X509* issuer) {
  std::ifstream in(file, std::ios::binary);
  if (!in)  // strerror is not MT-safe
    throw std::runtime_error("OCSP response " + file +
                             " cannot be read: " + std::generic_category().message(errno));
  const std::vector<unsigned char> der{std::istreambuf_iterator<char>(in),
                                       std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error("OCSP response " + file + " cannot be read");
  return check_ocsp_response(der, leaf, issuer, std::time(nullptr), file);
}

}  // namespace teapot::tls
