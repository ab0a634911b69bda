// Text placed in the HTML pages handlers write (listings, the captive portal's page).
#pragma once

#include <string>
#include <string_view>

namespace teapot::handlers {

// Appends text with &, <, >, " and ' replaced by their character references, so that it can
// stand in element content and in quoted attribute values.
void append_html_escaped(std::string& out, std::string_view text);

}  // namespace teapot::handlers
