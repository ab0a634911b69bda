// The text `teapot explain CODE [--lang en|fr]` prints: everything teapot knows about a status
// code, for an operator reading a log line or a curl transcript.
#pragma once

#include <string>

#include "http/status_descriptions.h"

namespace teapot::http {

// Several lines, each ending in '\n': the code with its title (and the wire phrase, in French),
// its class, its meaning, the reference the IANA registry gives, the header fields a response
// with it must carry, and notes for the codes the registry marks unused or teapot never sends.
// An empty string for a number that is not in the registry.
std::string explain(int code, language lang);

}  // namespace teapot::http
