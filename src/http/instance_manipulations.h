// The A-IM request field of delta encoding (RFC 3229 §10.5.3): which instance-manipulations a
// client accepts. Only those the server can apply are read.
#pragma once

#include <string_view>

namespace teapot::http {

struct accepted_manipulations {
  bool diffe = false;  // the ed script of `diff -e`
  bool gzip = false;   // the instance, or the script, compressed with gzip
};

// A-IM = #( instance-manipulation [ ";" "q" "=" qvalue ] ), names case-insensitive: each known
// name with a weight above 0 is accepted. A malformed element is skipped.
accepted_manipulations parse_a_im(std::string_view value) noexcept;

}  // namespace teapot::http
