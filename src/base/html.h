// Text placed in the HTML pages the server and the handlers write (error pages, listings, the
// status page).
#pragma once

#include <string>
#include <string_view>

namespace teapot::base {

// Appends text with &, <, >, " and ' replaced by their character references, so that it can
// stand in element content and in quoted attribute values.
inline void append_html_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace teapot::base
