// RFC 9110 §7.6.2: a TRACE or OPTIONS whose Max-Forwards is 0 goes no further; the proxy (a
// proxy route, or a forward proxy's absolute-form request) answers as the final recipient.
// Thread contract: the worker's loop thread (a handler's call).
#pragma once

#include <span>
#include <string>

#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot::srv {

// True when req is such a request and res holds the answer: OPTIONS, 204 with Allow, as the
// server answers OPTIONS of a file; TRACE, 405 with the same Allow, as the server answers a
// TRACE wherever no route takes it (it reflects no request). Allow: the known methods but
// CONNECT, which a proxy never relays, and TRACE, which it does not answer.
bool answer_as_final_recipient(const request& req, response& res,
                               std::span<const std::string> known_methods);

}  // namespace teapot::srv
