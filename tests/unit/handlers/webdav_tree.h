// A parsed XML tree as one line of text, for the tables of the WebDAV tests and for
// GoogleTest's messages.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "handlers/webdav/xml.h"

namespace teapot::handlers::webdav {

// A tree written on one line, to compare with a table's expectation:
// {ns}local @{ns}attr="value" "text" [children, ...]
inline void describe(std::string& out, const xml_element& e) {
  out += "{" + e.name.ns + "}" + e.name.local;
  for (const auto& [name, value] : e.attributes)
    out += " @{" + name.ns + "}" + name.local + "=\"" + value + "\"";
  if (!e.text.empty()) out += " \"" + e.text + "\"";
  if (e.children.empty()) return;
  out += " [";
  for (std::size_t i = 0; i < e.children.size(); ++i) {
    if (i > 0) out += ", ";
    describe(out, e.children[i]);
  }
  out += "]";
}

inline std::string describe(const xml_element& e) {
  std::string out;
  describe(out, e);
  return out;
}

inline std::string_view name_of(xml_error e) {
  switch (e) {
    case xml_error::none:
      return "none";
    case xml_error::malformed:
      return "malformed";
    case xml_error::forbidden:
      return "forbidden";
    case xml_error::too_deep:
      return "too_deep";
    case xml_error::too_many:
      return "too_many";
  }
  return "?";
}

// How GoogleTest shows an element in a failed assertion.
inline void PrintTo(const xml_element& e, std::ostream* os) {
  *os << describe(e);
}

}  // namespace teapot::handlers::webdav
