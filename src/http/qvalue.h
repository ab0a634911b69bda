// The weight of a proactive-negotiation list element (RFC 9110 §12.4.2), shared by every
// Accept-* reader. Pure; safe from any thread.
#pragma once

#include <string_view>

namespace teapot::http {

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), the text after "q=", as
// thousandths (0..1000) in out. False, with out untouched, for anything else: surrounding
// whitespace, a fourth decimal, a value above 1. The caller has trimmed the OWS around ';'.
bool parse_qvalue(std::string_view text, int& out) noexcept;

}  // namespace teapot::http
