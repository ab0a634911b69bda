// The HTTP status codes: exactly the IANA "HTTP Status Code Registry" (permanent entries),
// with the facts RFC 9110 gives for each. Nobody types a reason phrase: it comes from here.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace teapot::http {

enum class status : std::uint16_t {
  continue_ = 100,                        // RFC 9110 §15.2.1
  switching_protocols = 101,              // RFC 9110 §15.2.2
  processing = 102,                       // RFC 2518 §10.1
  early_hints = 103,                      // RFC 8297
  ok = 200,                               // RFC 9110 §15.3.1
  created = 201,                          // RFC 9110 §15.3.2
  accepted = 202,                         // RFC 9110 §15.3.3
  non_authoritative_information = 203,    // RFC 9110 §15.3.4
  no_content = 204,                       // RFC 9110 §15.3.5
  reset_content = 205,                    // RFC 9110 §15.3.6
  partial_content = 206,                  // RFC 9110 §15.3.7
  multi_status = 207,                     // RFC 4918 §11.1
  already_reported = 208,                 // RFC 5842 §7.1
  im_used = 226,                          // RFC 3229 §10.4.1
  multiple_choices = 300,                 // RFC 9110 §15.4.1
  moved_permanently = 301,                // RFC 9110 §15.4.2
  found = 302,                            // RFC 9110 §15.4.3
  see_other = 303,                        // RFC 9110 §15.4.4
  not_modified = 304,                     // RFC 9110 §15.4.5
  use_proxy = 305,                        // RFC 9110 §15.4.6 (deprecated, never sent)
  unused_306 = 306,                       // RFC 9110 §15.4.7 (reserved, never sent)
  temporary_redirect = 307,               // RFC 9110 §15.4.8
  permanent_redirect = 308,               // RFC 9110 §15.4.9
  bad_request = 400,                      // RFC 9110 §15.5.1
  unauthorized = 401,                     // RFC 9110 §15.5.2
  payment_required = 402,                 // RFC 9110 §15.5.3
  forbidden = 403,                        // RFC 9110 §15.5.4
  not_found = 404,                        // RFC 9110 §15.5.5
  method_not_allowed = 405,               // RFC 9110 §15.5.6
  not_acceptable = 406,                   // RFC 9110 §15.5.7
  proxy_authentication_required = 407,    // RFC 9110 §15.5.8
  request_timeout = 408,                  // RFC 9110 §15.5.9
  conflict = 409,                         // RFC 9110 §15.5.10
  gone = 410,                             // RFC 9110 §15.5.11
  length_required = 411,                  // RFC 9110 §15.5.12
  precondition_failed = 412,              // RFC 9110 §15.5.13
  content_too_large = 413,                // RFC 9110 §15.5.14
  uri_too_long = 414,                     // RFC 9110 §15.5.15
  unsupported_media_type = 415,           // RFC 9110 §15.5.16
  range_not_satisfiable = 416,            // RFC 9110 §15.5.17
  expectation_failed = 417,               // RFC 9110 §15.5.18
  im_a_teapot = 418,                      // RFC 9110 §15.5.19 (unused; RFC 2324)
  misdirected_request = 421,              // RFC 9110 §15.5.20
  unprocessable_content = 422,            // RFC 9110 §15.5.21
  locked = 423,                           // RFC 4918 §11.3
  failed_dependency = 424,                // RFC 4918 §11.4
  too_early = 425,                        // RFC 8470 §5.2
  upgrade_required = 426,                 // RFC 9110 §15.5.22
  precondition_required = 428,            // RFC 6585 §3
  too_many_requests = 429,                // RFC 6585 §4
  request_header_fields_too_large = 431,  // RFC 6585 §5
  unavailable_for_legal_reasons = 451,    // RFC 7725 §3
  internal_server_error = 500,            // RFC 9110 §15.6.1
  not_implemented = 501,                  // RFC 9110 §15.6.2
  bad_gateway = 502,                      // RFC 9110 §15.6.3
  service_unavailable = 503,              // RFC 9110 §15.6.4
  gateway_timeout = 504,                  // RFC 9110 §15.6.5
  http_version_not_supported = 505,       // RFC 9110 §15.6.6
  variant_also_negotiates = 506,          // RFC 2295 §8.1
  insufficient_storage = 507,             // RFC 4918 §11.5
  loop_detected = 508,                    // RFC 5842 §7.2
  not_extended = 510,                     // RFC 2774 §7 (historic)
  network_authentication_required = 511,  // RFC 6585 §6
};

enum class status_class : std::uint8_t {
  informational = 1,
  successful = 2,
  redirection = 3,
  client_error = 4,
  server_error = 5,
};

struct status_info {
  status code;
  // The phrase sent on the wire: RFC 9110's, and "I'm a teapot" for 418 (the registry lists
  // 418 as "(Unused)", but the traditional phrase is what clients and people expect).
  std::string_view reason;
  // The phrase as the IANA registry spells it ("(Unused)" for 306 and 418).
  std::string_view registry_name;
  // Where the code is defined, as the registry cites it ("RFC 9110, Section 15.3.1").
  std::string_view reference;
  // Heuristically cacheable by default (RFC 9110 §15.1).
  bool cacheable_by_default;
  // Whether a response with this code may carry content (1xx, 204, 304 may not; §6.4.1).
  bool may_have_content;
};

constexpr int to_int(status s) noexcept {
  return static_cast<int>(s);
}
constexpr status_class class_of(status s) noexcept {
  return static_cast<status_class>(to_int(s) / 100);
}
constexpr bool is_informational(status s) noexcept {
  return to_int(s) / 100 == 1;
}

// Every registered code, in increasing order. Valid for the life of the program.
std::span<const status_info> all_statuses() noexcept;
// The entry for a registered code, or nullptr for a number the registry does not hold.
const status_info* find_status(int code) noexcept;
// The entry for a code of the enum; never null.
const status_info& info(status s) noexcept;
inline std::string_view reason_phrase(status s) noexcept {
  return info(s).reason;
}
inline bool is_cacheable_by_default(status s) noexcept {
  return info(s).cacheable_by_default;
}
inline bool may_have_content(status s) noexcept {
  return info(s).may_have_content;
}
// 305 and 306 stay in the registry, but RFC 9110 §15.4.6 and §15.4.7 leave no situation in
// which a server sends them: configuration that asks for either is refused.
constexpr bool is_never_sent(status s) noexcept {
  return s == status::use_proxy || s == status::unused_306;
}

}  // namespace teapot::http
