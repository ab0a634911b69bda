// The meaning of a complete response head (RFC 9112 §6, §9.3; RFC 9110 §7.6.1, §15.2.2): how
// its content is delimited, whether the connection persists, and its Connection options. Pure
// functions over views. Internal to h1.
#pragma once

#include <string_view>
#include <vector>

#include "h1/response_error.h"
#include "h1/response_parser.h"

namespace teapot::h1 {

// Fills head's framing, content length, keep_alive, framing_conflict and transfer_coded from
// its status, version and fields and from the request it answers, and appends the options of
// its Connection fields to connection_options; returns false with e set when the response
// must be discarded.
bool apply_response_semantics(const request_context& request, response_head& head,
                              std::vector<std::string_view>& connection_options, response_error& e);

}  // namespace teapot::h1
