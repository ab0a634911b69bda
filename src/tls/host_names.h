// Which host names a certificate covers: the matching rules of RFC 6125 §6.4, used both to pick
// a certificate by SNI (RFC 6066 §3) and to tell whether a request's Host may be served on a
// connection (RFC 9110 §15.5.20, 421). Pure functions over text.
#pragma once

#include <string>
#include <string_view>

namespace teapot::tls {

// A host name as compared: ASCII lowercase (RFC 4343), without the brackets of an IPv6
// literal ("[::1]" -> "::1") nor the one trailing dot of a fully qualified name. No port: the
// caller strips it.
std::string normalize_host(std::string_view host);

// Whether a certificate name ("example.com", "*.example.com", "192.0.2.1") covers host.
// RFC 6125 §6.4.3: a wildcard is the whole left-most label and stands for exactly one
// non-empty label, so "*.example.com" covers "a.example.com" and neither "example.com" nor
// "a.b.example.com". Refused as wildcards: partial labels ("w*.example.com"), a wildcard over
// a single label ("*.com", CA/Browser Forum baseline §3.2.2.6), and IP addresses as hosts
// (RFC 6125 §1.7.2: an IP address is matched exactly).
bool name_covers(std::string_view name, std::string_view host);

// Whether name starts with the "*." of a wildcard.
bool is_wildcard(std::string_view name);

}  // namespace teapot::tls
