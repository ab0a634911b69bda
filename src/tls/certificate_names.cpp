#include "tls/certificate_names.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>
#include <ctime>
#include <string_view>

#include "tls/host_names.h"
#include "tls/openssl_handles.h"

namespace teapot::tls {
namespace {

std::string_view asn1_text(const ASN1_STRING* s) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

// An iPAddress name holds 4 or 16 bytes in network order (RFC 5280 §4.2.1.6).
std::optional<std::string> ip_text(const ASN1_OCTET_STRING* ip) {
  const int family = ASN1_STRING_length(ip) == 4    ? AF_INET
                     : ASN1_STRING_length(ip) == 16 ? AF_INET6
                                                    : 0;
  if (family == 0) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (::inet_ntop(family, ASN1_STRING_get0_data(ip), text.data(), text.size()) == nullptr)
    return std::nullopt;
  return std::string(text.data());
}

std::optional<std::string> common_name(X509* certificate) {
  const X509_NAME* subject = X509_get_subject_name(certificate);
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return std::nullopt;
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  std::string_view text = asn1_text(cn);
  if (text.empty() || text.find('\0') != std::string_view::npos) return std::nullopt;
  return normalize_host(text);
}

}  // namespace

std::string time_text(const ASN1_TIME* t) {
  tm when{};
  if (ASN1_TIME_to_tm(t, &when) != 1) return "an unreadable date";
  std::array<char, 32> text{};
  if (std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &when) == 0)
    return "an unreadable date";
  return text.data();
}

std::vector<std::string> certificate_names(X509* certificate) {
  std::vector<std::string> names;
  bool has_dns = false;
  const general_names_ptr alt(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; alt && i < sk_GENERAL_NAME_num(alt.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(alt.get(), i);
    if (name->type == GEN_DNS) {
      std::string_view text = asn1_text(name->d.dNSName);
      has_dns = true;
      // A name with a NUL in it would match another name than it shows.
      if (!text.empty() && text.find('\0') == std::string_view::npos)
        names.push_back(normalize_host(text));
    } else if (name->type == GEN_IPADD) {
      if (auto text = ip_text(name->d.iPAddress)) names.push_back(*text);
    }
  }
  if (!has_dns)
    if (auto cn = common_name(certificate)) names.push_back(*cn);
  return names;
}

std::optional<std::string> validity_problem(X509* certificate, const std::string& file) {
  const ASN1_TIME* not_after = X509_get0_notAfter(certificate);
  const ASN1_TIME* not_before = X509_get0_notBefore(certificate);
  // X509_cmp_current_time: -1 when the date has passed, 1 when it is to come, 0 on error.
  if (X509_cmp_current_time(not_after) < 0)
    return "certificate " + file + " expired on " + time_text(not_after) +
           "; clients will refuse it";
  if (X509_cmp_current_time(not_before) > 0)
    return "certificate " + file + " is not valid before " + time_text(not_before) +
           "; clients will refuse it until then";
  return std::nullopt;
}

}  // namespace teapot::tls
