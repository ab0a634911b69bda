#include "tls/self_signed.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "tls/openssl_error.h"
#include "tls/openssl_handles.h"

namespace teapot::tls {
namespace {

void require(int ok, const char* what) {
  if (ok != 1) throw_openssl_error(std::string("self-signed certificate: ") + what);
}

bool is_dns_name(std::string_view host) {
  if (host.substr(0, 2) == "*.") host.remove_prefix(2);
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return host.front() != '.' && host.back() != '.' && host.find("..") == std::string_view::npos;
}

bool is_ip_address(const std::string& host) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
  ASN1_OCTET_STRING_free(ip);
  ERR_clear_error();  // a2i_IPADDRESS's complaint that a name is not an address
  return ip != nullptr;
}

void check_hosts(const std::vector<std::string>& hosts) {
  if (hosts.empty()) throw std::invalid_argument("a certificate needs at least one host");
  for (const std::string& host : hosts)
    if (!is_ip_address(host) && !is_dns_name(host))
      throw std::invalid_argument("'" + host + "' is neither a host name nor an IP address");
}

// A subjectAltName entry: an iPAddress when the host parses as one, else a dNSName.
GENERAL_NAME* alt_name(const std::string& host) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) return nullptr;
  if (is_ip_address(host)) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
    if (ip == nullptr) {
      GENERAL_NAME_free(name);
      return nullptr;
    }
    GENERAL_NAME_set0_value(name, GEN_IPADD, ip);
    return name;
  }
  ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
  if (dns == nullptr || ASN1_STRING_set(dns, host.data(), static_cast<int>(host.size())) != 1) {
    ASN1_IA5STRING_free(dns);
    GENERAL_NAME_free(name);
    return nullptr;
  }
  GENERAL_NAME_set0_value(name, GEN_DNS, dns);
  return name;
}

void add_alt_names(X509* x, const std::vector<std::string>& hosts) {
  const general_names_ptr names(GENERAL_NAMES_new());
  if (!names) throw_openssl_error("self-signed certificate: subjectAltName");
  for (const std::string& host : hosts) {
    GENERAL_NAME* name = alt_name(host);
    if (name == nullptr || sk_GENERAL_NAME_push(names.get(), name) == 0) {
      GENERAL_NAME_free(name);
      throw_openssl_error("self-signed certificate: subjectAltName");
    }
  }
  require(X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
          "subjectAltName");
}

// basicConstraints, keyUsage and extendedKeyUsage, as a CA would set them on a server's
// certificate (CA/Browser Forum baseline §7.1.2.3).
void add_usage(X509* x) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  const std::array<std::pair<int, const char*>, 3> extensions{{
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
  }};
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    const int ok = ext != nullptr && X509_add_ext(x, ext, -1) == 1 ? 1 : 0;
    X509_EXTENSION_free(ext);
    require(ok, "extensions");
  }
}

// RFC 5280 §4.1.2.2: positive, at most 20 bytes; random, so that no two are alike.
void set_random_serial(X509* x) {
  std::array<unsigned char, 20> bytes{};
  require(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())), "serial number");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x40;  // 159 bits: never shorter, never negative
  BIGNUM* bn = BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr);
  const int ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != nullptr;
  BN_free(bn);
  require(ok ? 1 : 0, "serial number");
}

void set_subject(X509* x, const std::string& host) {
  X509_NAME* name = X509_get_subject_name(x);
  // The CN is at most 64 characters (RFC 5280 appendix A, ub-common-name); the SAN holds all.
  const std::string cn = host.substr(0, 64);
  require(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
          "subject");
  require(X509_set_issuer_name(x, name), "issuer");
}

void set_validity(X509* x, int days) {
  constexpr long hour = 3600;
  const long after = static_cast<long>(days) * 24 * hour;
  const long before = days > 0 ? -hour : after - 24 * hour;
  require(X509_gmtime_adj(X509_getm_notBefore(x), before) != nullptr ? 1 : 0, "notBefore");
  require(X509_gmtime_adj(X509_getm_notAfter(x), after) != nullptr ? 1 : 0, "notAfter");
}

std::string pem_of(const bio_ptr& bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio.get(), &mem);
  return mem == nullptr ? std::string{} : std::string(mem->data, mem->length);
}

// A whole file or nothing, with its mode from the start (mkstemp makes it 0600).
void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::string temporary = path.string() + ".XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  const auto fail = [&](const char* what) {
    const std::string why = std::generic_category().message(errno);
    if (fd >= 0) {
      ::close(fd);
      ::unlink(temporary.c_str());
    }
    throw std::runtime_error("cannot " + std::string(what) + " " + path.string() + ": " + why);
  };
  if (fd < 0) fail("create");
  if (::fchmod(fd, mode) != 0) fail("set the mode of");
  for (std::size_t at = 0; at < text.size();) {
    const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    at += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("write");
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::generic_category().message(errno);
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + why);
  }
}

}  // namespace

void write_pem_files(const std::string& dir, const certificate_pem& pem, bool overwrite) {
  const std::filesystem::path folder(dir);
  const std::filesystem::path certificate = folder / "cert.pem";
  const std::filesystem::path key = folder / "key.pem";
  for (const auto& path : {certificate, key})
    if (!overwrite && std::filesystem::exists(path))
      throw std::runtime_error(path.string() + " exists and is kept");
  std::filesystem::create_directories(folder);
  write_file(key, pem.key, 0600);
  write_file(certificate, pem.certificate, 0644);
}

certificate_pem make_self_signed(const std::vector<std::string>& hosts, int days) {
  check_hosts(hosts);
  ERR_clear_error();
  const pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) throw_openssl_error("self-signed certificate: cannot make an EC P-256 key");
  const x509_ptr x(X509_new());
  if (!x) throw_openssl_error("self-signed certificate");
  require(X509_set_version(x.get(), X509_VERSION_3), "version");
  set_random_serial(x.get());
  set_validity(x.get(), days);
  set_subject(x.get(), hosts.front());
  require(X509_set_pubkey(x.get(), key.get()), "public key");
  add_alt_names(x.get(), hosts);
  add_usage(x.get());
  if (X509_sign(x.get(), key.get(), EVP_sha256()) <= 0)
    throw_openssl_error("self-signed certificate: signature");

  const bio_ptr cert_out(BIO_new(BIO_s_mem()));
  const bio_ptr key_out(BIO_new(BIO_s_mem()));
  if (!cert_out || !key_out) throw_openssl_error("self-signed certificate: buffers");
  require(PEM_write_bio_X509(cert_out.get(), x.get()), "PEM");
  require(PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
          "PEM");
  return {pem_of(cert_out), pem_of(key_out)};
}

}  // namespace teapot::tls
