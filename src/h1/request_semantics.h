// The meaning of a complete request head (RFC 9112 §3.2, §6, §9.3; RFC 9110 §7.2, §10.1.1):
// target form, Host, message framing, Connection and Expect. Pure functions over views; they
// allocate nothing. Internal to h1.
#pragma once

#include <cstdint>
#include <string_view>

#include "h1/parse_error.h"
#include "h1/request_parser.h"

namespace teapot::h1 {

enum class target_form : std::uint8_t {
  origin,        // absolute-path [ "?" query ] (RFC 9112 §3.2.1)
  absolute,      // absolute-URI (RFC 9112 §3.2.2)
  authority,     // uri-host ":" port, CONNECT only (RFC 9112 §3.2.3)
  asterisk,      // "*", OPTIONS only (RFC 9112 §3.2.4)
  wrong_method,  // a valid form that this method may not use
  invalid,       // none of the four forms
};

// The form of a request-target whose bytes the request line took (ascii::is_wire_target_char).
target_form classify_target(std::string_view method, std::string_view target) noexcept;

// Host = uri-host [ ":" port ] (RFC 9110 §7.2); an empty value is allowed (RFC 9112 §3.2).
bool is_valid_host(std::string_view value) noexcept;

// Fills head's framing, host, keep_alive, expect_continue and upgrade from its fields and
// version; returns false with e set when the head must be rejected.
bool apply_head_semantics(const parser_config& config, request_head& head, parse_error& e) noexcept;

}  // namespace teapot::h1
