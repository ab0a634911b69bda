// HTTPS as a site's only way in: where a request that came over plain HTTP is sent instead
// (RFC 9110 §15.4.9, 308), and the Strict-Transport-Security field that keeps a browser on
// HTTPS afterwards (RFC 6797). Pure functions of their inputs; the pipeline decides when.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace teapot::http {

// The https URL of a request received over plain HTTP: "https://" + the host of authority
// (its port dropped, the brackets of an IPv6 literal kept) + ":port" unless port is 443 +
// the path and query of target as received (origin-form as it is; absolute-form without its
// scheme and authority, "/" when it has no path). authority is the request's Host, or the
// authority of its absolute-form target, which the codec has checked (RFC 9112 §3.2).
std::string https_location(std::string_view authority, std::uint16_t port, std::string_view target);

// RFC 6797 §6.1: "max-age=N", then "; includeSubDomains" and "; preload" when asked for.
// preload is no directive of the RFC: the browsers' preload list asks for it (with
// includeSubDomains and a year at least, which config/ checks) before it lists a domain.
std::string format_strict_transport_security(std::chrono::seconds max_age, bool include_subdomains,
                                             bool preload);

}  // namespace teapot::http
