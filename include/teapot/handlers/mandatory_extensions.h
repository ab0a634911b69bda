// Mandatory extensions of the HTTP Extension Framework (RFC 2774, historic): a request that
// demands an extension the server does not implement gets 510 Not Extended (§7). A policy step
// (teapot/policy.h) for a site's pipeline.
//
// Answered with 510:
// - a method with the "M-" prefix of a mandatory request (§5). The server does not implement
//   any such method: it would have to obey every declared extension and then run the method
//   without its prefix, and the router knows no M- methods. Such a request reaches this step
//   only when the server's method set (server_options::methods) lists the M- method, e.g.
//   "M-GET": a method the server does not know is answered 501 by the parser, before any step.
// - a Man (end-to-end, §4.1) or C-Man (hop-by-hop, §4.2) field that declares an extension not
//   in `implemented`. A field that cannot be read as a list of quoted extension identifiers is
//   taken as declaring an extension the server cannot know, hence 510 too.
// Opt and C-Opt declare optional extensions, which a server may ignore (§4): they are.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "teapot/policy.h"

namespace teapot::handlers {

struct mandatory_extensions_options {
  // Extension identifiers (absolute URIs, or field-names) this site implements, compared
  // exactly, as they appear between the quotes of a Man field.
  std::vector<std::string> implemented{};
};

std::shared_ptr<policy> make_mandatory_extensions(mandatory_extensions_options options);

}  // namespace teapot::handlers
