// XML of WebDAV request bodies (RFC 4918 §14), read with expat, and the pieces responses are
// written with. Namespaces are resolved (a prefix is only a name for its URI); DOCTYPE, entity
// declarations and external entities are refused outright, so that neither "billion laughs"
// nor XXE can happen; size and depth are bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::handlers::webdav {

inline constexpr std::string_view dav_ns = "DAV:";

// An expanded name: namespace URI (empty: no namespace) and local name.
struct xml_name {
  std::string ns;
  std::string local;
  bool is(std::string_view n, std::string_view l) const noexcept { return ns == n && local == l; }
  bool is_dav(std::string_view l) const noexcept { return is(dav_ns, l); }
  friend bool operator==(const xml_name&, const xml_name&) = default;
};

inline constexpr std::string_view xml_ns = "http://www.w3.org/XML/1998/namespace";

// The tree keeps names, attributes and text, not the order in which text and child elements
// were mixed: "<a>x<b/>y</a>" and "<a>xy<b/></a>" are the same element. Property values
// are names and text in practice; a value of mixed content comes back with its text first.
struct xml_element {
  xml_name name;
  // Attributes other than namespace declarations, names expanded (xml:lang is
  // {xml_ns, "lang"}), in document order.
  std::vector<std::pair<xml_name, std::string>> attributes;
  // The character data directly inside, concatenated (entities and CDATA decoded, line ends
  // normalized to \n). Only whitespace beside child elements is indentation, and is dropped.
  std::string text;
  std::vector<xml_element> children;
  // Structural equality; parse_xml(to_xml(e)) gives back an element equal to e.
  friend bool operator==(const xml_element&, const xml_element&) = default;
};

enum class xml_error : unsigned char {
  none,
  malformed,  // not well-formed XML, or not UTF-8 (400)
  forbidden,  // a DOCTYPE, an entity declaration or an external entity (400)
  too_deep,   // past xml_limits::max_depth (400)
  too_many,   // past xml_limits::max_elements (400)
};

struct xml_limits {
  std::size_t max_depth = 64;
  std::size_t max_elements = 20'000;
};

// Parses a whole document into root (left empty on an error). The body's size is bounded by
// the caller. Only UTF-8 is read: an XML declaration naming another encoding, or bytes that
// are not UTF-8, are malformed. Processing instructions and comments are skipped. Every
// function that walks the tree (to_xml, ==, the destructor) recurses, so max_depth also
// bounds their stack; expat itself does not recurse on depth.
xml_error parse_xml(std::string_view document, const xml_limits& limits, xml_element& root);

// An element as standalone XML: every namespace it and its descendants use is declared on it
// (prefixes are made up, "D" for DAV:, "ns0", "ns1"… for the others in order of first use;
// xml: needs no declaration), and xmlns="" too when an element in no namespace is inside, so
// that it keeps its meaning under any default namespace; attributes and text escaped. Dead
// property values are stored this way and written back verbatim inside a response's <D:prop>.
std::string to_xml(const xml_element& e);

// Appends text with &, <, >, " escaped (so that it also fits an attribute value), and CR as
// &#13; so that a reader does not fold it into a line end.
void append_escaped(std::string& out, std::string_view text);
// Appends a path as an href: every byte outside RFC 3986's unreserved set and '/' is
// percent-encoded, so that any file name makes a valid URI.
void append_href(std::string& out, std::string_view path);

// The start tag of an empty or opening element of a property name: "<D:getetag" for DAV:
// (the caller has declared D), "<ns0:foo xmlns:ns0=\"uri\"" for another namespace,
// "<foo xmlns=\"\"" for none. The caller closes it with "/>" or ">".
void append_open_name(std::string& out, const xml_name& name);
// The matching end tag: "</D:getetag>", "</ns0:foo>", "</foo>".
void append_close_name(std::string& out, const xml_name& name);

}  // namespace teapot::handlers::webdav
