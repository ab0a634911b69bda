// A self-signed certificate for development (`teapot cert`): browsers warn about it until it
// is trusted by hand, but it is otherwise what a CA would issue for the same names.
#pragma once

#include <string>
#include <vector>

namespace teapot::tls {

struct certificate_pem {
  std::string certificate;
  std::string key;  // PKCS #8, unencrypted
};

// An EC P-256 key and an X.509 v3 certificate signed with it (ECDSA with SHA-256), valid from
// an hour ago (clients whose clocks lag accept it) for `days` days; days <= 0 gives one already
// expired, for tests of what the server says about that. Every host goes into subjectAltName,
// as a DNS name or, when it is an IPv4 or IPv6 address, as an iPAddress (RFC 5280 §4.2.1.6);
// the first host is also the subject's CN. basicConstraints CA:FALSE (critical), keyUsage
// digitalSignature, extendedKeyUsage serverAuth; a random 159-bit serial (RFC 5280 §4.1.2.2).
// Throws std::invalid_argument for no host or a host that is neither an IP address nor a DNS
// name (letters, digits, '-', '.', a leading "*." wildcard); std::runtime_error if OpenSSL
// fails.
certificate_pem make_self_signed(const std::vector<std::string>& hosts, int days);

// Writes pem into dir (made if missing) as cert.pem (mode 0644) and key.pem (0600), each
// through a temporary file renamed into place, so that a reader never sees half a file and
// the key is never readable by others, not even for a moment. Throws std::runtime_error,
// naming the file, when one exists and overwrite is false (and then writes nothing), or when a
// write fails.
void write_pem_files(const std::string& dir, const certificate_pem& pem, bool overwrite);

}  // namespace teapot::tls
