// The status table: the IANA registry's permanent entries, with the wire phrase and the two
// facts RFC 9110 attaches to each code. Built at compile time; lookups never allocate.
#include "teapot/http/status.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace teapot::http {
namespace {

// Columns: code, wire reason, registry description, registry reference, cacheable by default,
// may have content. Cacheable codes are those RFC 9110 §15.1 names as heuristically cacheable,
// plus 451 (RFC 7725 §3). Content is forbidden for 1xx, 204 and 304 (RFC 9110 §6.4.1).
constexpr bool cached = true;
constexpr bool not_cached = false;
constexpr bool body = true;
constexpr bool no_body = false;

constexpr status_info registry[] = {
    {status::continue_, "Continue", "Continue", "RFC 9110, Section 15.2.1", not_cached, no_body},
    {status::switching_protocols, "Switching Protocols", "Switching Protocols",
     "RFC 9110, Section 15.2.2", not_cached, no_body},
    {status::processing, "Processing", "Processing", "RFC 2518", not_cached, no_body},
    {status::early_hints, "Early Hints", "Early Hints", "RFC 8297", not_cached, no_body},
    {status::ok, "OK", "OK", "RFC 9110, Section 15.3.1", cached, body},
    {status::created, "Created", "Created", "RFC 9110, Section 15.3.2", not_cached, body},
    {status::accepted, "Accepted", "Accepted", "RFC 9110, Section 15.3.3", not_cached, body},
    {status::non_authoritative_information, "Non-Authoritative Information",
     "Non-Authoritative Information", "RFC 9110, Section 15.3.4", cached, body},
    {status::no_content, "No Content", "No Content", "RFC 9110, Section 15.3.5", cached, no_body},
    {status::reset_content, "Reset Content", "Reset Content", "RFC 9110, Section 15.3.6",
     not_cached, body},
    {status::partial_content, "Partial Content", "Partial Content", "RFC 9110, Section 15.3.7",
     cached, body},
    {status::multi_status, "Multi-Status", "Multi-Status", "RFC 4918", not_cached, body},
    {status::already_reported, "Already Reported", "Already Reported", "RFC 5842", not_cached,
     body},
    {status::im_used, "IM Used", "IM Used", "RFC 3229", not_cached, body},
    {status::multiple_choices, "Multiple Choices", "Multiple Choices", "RFC 9110, Section 15.4.1",
     cached, body},
    {status::moved_permanently, "Moved Permanently", "Moved Permanently",
     "RFC 9110, Section 15.4.2", cached, body},
    {status::found, "Found", "Found", "RFC 9110, Section 15.4.3", not_cached, body},
    {status::see_other, "See Other", "See Other", "RFC 9110, Section 15.4.4", not_cached, body},
    {status::not_modified, "Not Modified", "Not Modified", "RFC 9110, Section 15.4.5", not_cached,
     no_body},
    {status::use_proxy, "Use Proxy", "Use Proxy", "RFC 9110, Section 15.4.6", not_cached, body},
    // Reserved since RFC 2616; it has no phrase of its own, so the registry's label stands in.
    {status::unused_306, "(Unused)", "(Unused)", "RFC 9110, Section 15.4.7", not_cached, body},
    {status::temporary_redirect, "Temporary Redirect", "Temporary Redirect",
     "RFC 9110, Section 15.4.8", not_cached, body},
    {status::permanent_redirect, "Permanent Redirect", "Permanent Redirect",
     "RFC 9110, Section 15.4.9", cached, body},
    {status::bad_request, "Bad Request", "Bad Request", "RFC 9110, Section 15.5.1", not_cached,
     body},
    {status::unauthorized, "Unauthorized", "Unauthorized", "RFC 9110, Section 15.5.2", not_cached,
     body},
    {status::payment_required, "Payment Required", "Payment Required", "RFC 9110, Section 15.5.3",
     not_cached, body},
    {status::forbidden, "Forbidden", "Forbidden", "RFC 9110, Section 15.5.4", not_cached, body},
    {status::not_found, "Not Found", "Not Found", "RFC 9110, Section 15.5.5", cached, body},
    {status::method_not_allowed, "Method Not Allowed", "Method Not Allowed",
     "RFC 9110, Section 15.5.6", cached, body},
    {status::not_acceptable, "Not Acceptable", "Not Acceptable", "RFC 9110, Section 15.5.7",
     not_cached, body},
    {status::proxy_authentication_required, "Proxy Authentication Required",
     "Proxy Authentication Required", "RFC 9110, Section 15.5.8", not_cached, body},
    {status::request_timeout, "Request Timeout", "Request Timeout", "RFC 9110, Section 15.5.9",
     not_cached, body},
    {status::conflict, "Conflict", "Conflict", "RFC 9110, Section 15.5.10", not_cached, body},
    {status::gone, "Gone", "Gone", "RFC 9110, Section 15.5.11", cached, body},
    {status::length_required, "Length Required", "Length Required", "RFC 9110, Section 15.5.12",
     not_cached, body},
    {status::precondition_failed, "Precondition Failed", "Precondition Failed",
     "RFC 9110, Section 15.5.13", not_cached, body},
    {status::content_too_large, "Content Too Large", "Content Too Large",
     "RFC 9110, Section 15.5.14", not_cached, body},
    {status::uri_too_long, "URI Too Long", "URI Too Long", "RFC 9110, Section 15.5.15", cached,
     body},
    {status::unsupported_media_type, "Unsupported Media Type", "Unsupported Media Type",
     "RFC 9110, Section 15.5.16", not_cached, body},
    {status::range_not_satisfiable, "Range Not Satisfiable", "Range Not Satisfiable",
     "RFC 9110, Section 15.5.17", not_cached, body},
    {status::expectation_failed, "Expectation Failed", "Expectation Failed",
     "RFC 9110, Section 15.5.18", not_cached, body},
    // The registry marks 418 unused so that nobody gives it a real meaning; the phrase clients
    // and people know from RFC 2324 is kept on the wire.
    {status::im_a_teapot, "I'm a teapot", "(Unused)", "RFC 9110, Section 15.5.19", not_cached,
     body},
    {status::misdirected_request, "Misdirected Request", "Misdirected Request",
     "RFC 9110, Section 15.5.20", not_cached, body},
    {status::unprocessable_content, "Unprocessable Content", "Unprocessable Content",
     "RFC 9110, Section 15.5.21", not_cached, body},
    {status::locked, "Locked", "Locked", "RFC 4918", not_cached, body},
    {status::failed_dependency, "Failed Dependency", "Failed Dependency", "RFC 4918", not_cached,
     body},
    {status::too_early, "Too Early", "Too Early", "RFC 8470", not_cached, body},
    {status::upgrade_required, "Upgrade Required", "Upgrade Required", "RFC 9110, Section 15.5.22",
     not_cached, body},
    {status::precondition_required, "Precondition Required", "Precondition Required", "RFC 6585",
     not_cached, body},
    {status::too_many_requests, "Too Many Requests", "Too Many Requests", "RFC 6585", not_cached,
     body},
    {status::request_header_fields_too_large, "Request Header Fields Too Large",
     "Request Header Fields Too Large", "RFC 6585", not_cached, body},
    {status::unavailable_for_legal_reasons, "Unavailable For Legal Reasons",
     "Unavailable For Legal Reasons", "RFC 7725", cached, body},
    {status::internal_server_error, "Internal Server Error", "Internal Server Error",
     "RFC 9110, Section 15.6.1", not_cached, body},
    {status::not_implemented, "Not Implemented", "Not Implemented", "RFC 9110, Section 15.6.2",
     cached, body},
    {status::bad_gateway, "Bad Gateway", "Bad Gateway", "RFC 9110, Section 15.6.3", not_cached,
     body},
    {status::service_unavailable, "Service Unavailable", "Service Unavailable",
     "RFC 9110, Section 15.6.4", not_cached, body},
    {status::gateway_timeout, "Gateway Timeout", "Gateway Timeout", "RFC 9110, Section 15.6.5",
     not_cached, body},
    {status::http_version_not_supported, "HTTP Version Not Supported", "HTTP Version Not Supported",
     "RFC 9110, Section 15.6.6", not_cached, body},
    {status::variant_also_negotiates, "Variant Also Negotiates", "Variant Also Negotiates",
     "RFC 2295", not_cached, body},
    {status::insufficient_storage, "Insufficient Storage", "Insufficient Storage", "RFC 4918",
     not_cached, body},
    {status::loop_detected, "Loop Detected", "Loop Detected", "RFC 5842", not_cached, body},
    // The registry flags 510 as obsoleted (RFC 2774 moved to historic); the phrase stays.
    {status::not_extended, "Not Extended", "Not Extended (OBSOLETED)", "RFC 2774", not_cached,
     body},
    {status::network_authentication_required, "Network Authentication Required",
     "Network Authentication Required", "RFC 6585", not_cached, body},
};

constexpr int first_code = 100;
constexpr int last_code = 599;
constexpr std::uint8_t no_entry = 0xff;
static_assert(std::size(registry) < no_entry, "the index stores positions in one byte");

// Position of each code in `registry`, so that find_status is one bounds check and two loads.
constexpr auto build_index() {
  std::array<std::uint8_t, last_code - first_code + 1> index{};
  index.fill(no_entry);
  for (std::size_t i = 0; i < std::size(registry); ++i)
    index[static_cast<std::size_t>(to_int(registry[i].code) - first_code)] =
        static_cast<std::uint8_t>(i);
  return index;
}
constexpr auto index_by_code = build_index();

constexpr bool is_strictly_increasing() {
  for (std::size_t i = 1; i < std::size(registry); ++i)
    if (to_int(registry[i - 1].code) >= to_int(registry[i].code)) return false;
  return true;
}
static_assert(is_strictly_increasing(), "all_statuses() promises increasing order");

constexpr const status_info* lookup(int code) noexcept {
  if (code < first_code || code > last_code) return nullptr;
  const std::uint8_t at = index_by_code[static_cast<std::size_t>(code - first_code)];
  return at == no_entry ? nullptr : &registry[at];
}

}  // namespace

std::span<const status_info> all_statuses() noexcept {
  return registry;
}

const status_info* find_status(int code) noexcept {
  return lookup(code);
}

const status_info& info(status s) noexcept {
  // A value cast from a number outside the registry has no entry; answering with the 500 entry
  // keeps the "never null" promise without inventing facts for an unknown code.
  const status_info* found = lookup(to_int(s));
  return found ? *found : *lookup(to_int(status::internal_server_error));
}

}  // namespace teapot::http
