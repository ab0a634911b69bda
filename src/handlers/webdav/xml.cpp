#include "handlers/webdav/xml.h"

#include <expat.h>

#include <algorithm>
#include <memory>
#include <new>
#include <unordered_map>

namespace teapot::handlers::webdav {

namespace {

// expat joins a namespace URI and a local name with this character. It cannot occur in either:
// XML 1.0 allows no U+0001, not even as a character reference (§2.2), so no URI can hold it
// and "uri<sep>local" splits one way only.
constexpr XML_Char ns_separator = '\x01';

// Past this, a document is fed to expat in pieces: XML_Parse takes an int length.
constexpr std::size_t feed_size = std::size_t{1} << 20;

bool is_xml_space(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

// expat reads a document that starts with a UTF-16 byte order mark as UTF-16 whatever encoding
// it was told to use.
bool has_utf16_bom(std::string_view document) noexcept {
  return document.starts_with("\xFE\xFF") || document.starts_with("\xFF\xFE");
}

xml_name expand(const XML_Char* raw) {
  const std::string_view v(raw);
  const std::size_t sep = v.find(ns_separator);
  if (sep == std::string_view::npos) return {{}, std::string(v)};
  return {std::string(v.substr(0, sep)), std::string(v.substr(sep + 1))};
}

// The tree under construction. open holds the element being filled and its ancestors; an
// ancestor's vector of children only grows once that element is closed, so the pointers stay
// valid.
struct parse_state {
  XML_Parser parser = nullptr;
  const xml_limits* limits = nullptr;
  xml_element root;
  std::vector<xml_element*> open;
  std::size_t elements = 0;
  xml_error error = xml_error::none;
};

parse_state& state_of(void* data) {
  return *static_cast<parse_state*>(data);
}

// expat may still deliver an event or two after a stop; every handler checks error first.
void fail(parse_state& s, xml_error e) {
  if (s.error != xml_error::none) return;
  s.error = e;
  XML_StopParser(s.parser, XML_FALSE);
}

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** atts) {
  parse_state& s = state_of(data);
  if (s.error != xml_error::none) return;
  if (s.open.size() >= s.limits->max_depth) return fail(s, xml_error::too_deep);
  if (++s.elements > s.limits->max_elements) return fail(s, xml_error::too_many);
  xml_element* e = &s.root;
  if (!s.open.empty()) e = &s.open.back()->children.emplace_back();
  e->name = expand(name);
  for (; *atts != nullptr; atts += 2)
    e->attributes.emplace_back(expand(atts[0]), atts[1]);
  s.open.push_back(e);
}

void XMLCALL on_end(void* data, const XML_Char* /*name*/) {
  parse_state& s = state_of(data);
  if (s.error != xml_error::none || s.open.empty()) return;
  xml_element& e = *s.open.back();
  if (!e.children.empty() && is_xml_space(e.text)) e.text.clear();
  s.open.pop_back();
}

void XMLCALL on_text(void* data, const XML_Char* text, int length) {
  parse_state& s = state_of(data);
  if (s.error != xml_error::none || s.open.empty()) return;
  s.open.back()->text.append(text, static_cast<std::size_t>(length));
}

// A DOCTYPE is where entities are declared; refusing it refuses entity expansion ("billion
// laughs") and external entities (XXE) at once. WebDAV bodies never need one.
void XMLCALL on_doctype(void* data, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                        const XML_Char* /*pubid*/, int /*has_internal_subset*/) {
  fail(state_of(data), xml_error::forbidden);
}

void XMLCALL on_entity_declaration(void* data, const XML_Char* /*name*/, int /*parameter*/,
                                   const XML_Char* /*value*/, int /*value_length*/,
                                   const XML_Char* /*base*/, const XML_Char* /*sysid*/,
                                   const XML_Char* /*pubid*/, const XML_Char* /*notation*/) {
  fail(state_of(data), xml_error::forbidden);
}

int XMLCALL on_external_entity(XML_Parser parser, const XML_Char* /*context*/,
                               const XML_Char* /*base*/, const XML_Char* /*sysid*/,
                               const XML_Char* /*pubid*/) {
  fail(state_of(XML_GetUserData(parser)), xml_error::forbidden);
  return XML_STATUS_ERROR;
}

// The parser reads UTF-8 whatever the declaration says; a declaration naming another encoding
// would make the bytes mean something else than they are read as.
void XMLCALL on_xml_declaration(void* data, const XML_Char* /*version*/, const XML_Char* encoding,
                                int /*standalone*/) {
  if (encoding != nullptr && !equals_ignoring_case(encoding, "UTF-8"))
    fail(state_of(data), xml_error::malformed);
}

struct parser_deleter {
  void operator()(XML_ParserStruct* p) const noexcept { XML_ParserFree(p); }
};

void install_handlers(XML_Parser p, parse_state& s) {
  XML_SetUserData(p, &s);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  XML_SetStartDoctypeDeclHandler(p, on_doctype);
  XML_SetEntityDeclHandler(p, on_entity_declaration);
  XML_SetExternalEntityRefHandler(p, on_external_entity);
  XML_SetXmlDeclHandler(p, on_xml_declaration);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
}

bool is_unreserved_or_slash(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

// An attribute value also loses TAB and LF to attribute-value normalization (XML 1.0 §3.3.3)
// unless they are written as references.
void append_escaped_attribute(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\t') {
      out += "&#9;";
    } else if (c == '\n') {
      out += "&#10;";
    } else {
      append_escaped(out, std::string_view(&c, 1));
    }
  }
}

// The prefixes to_xml gives the namespaces of one element and its descendants.
class prefix_map {
 public:
  void use(const std::string& uri) {
    if (uri.empty()) {
      uses_no_namespace_ = true;
      return;
    }
    if (uri == xml_ns || prefixes_.count(uri) != 0) return;
    std::string prefix = uri == dav_ns ? "D" : "ns" + std::to_string(numbered_++);
    prefixes_.emplace(uri, std::move(prefix));
    order_.push_back(&uri);
  }

  void collect(const xml_element& e) {
    use(e.name.ns);
    for (const auto& [name, value] : e.attributes)
      if (!name.ns.empty()) use(name.ns);
    for (const xml_element& child : e.children)
      collect(child);
  }

  void append_declarations(std::string& out) const {
    if (uses_no_namespace_) out += " xmlns=\"\"";
    for (const std::string* uri : order_) {
      out += " xmlns:";
      out += prefixes_.at(*uri);
      out += "=\"";
      append_escaped_attribute(out, *uri);
      out += '"';
    }
  }

  // Qualified name of an element, or of an attribute (an attribute in no namespace has no
  // prefix whatever the default namespace).
  void append_name(std::string& out, const xml_name& name) const {
    if (name.ns == xml_ns) {
      out += "xml:";
    } else if (!name.ns.empty()) {
      out += prefixes_.at(name.ns);
      out += ':';
    }
    out += name.local;
  }

 private:
  std::unordered_map<std::string_view, std::string> prefixes_;
  std::vector<const std::string*> order_;  // first use first, for a stable output
  unsigned numbered_ = 0;
  bool uses_no_namespace_ = false;
};

void append_element(std::string& out, const xml_element& e, const prefix_map& prefixes,
                    bool declare) {
  out += '<';
  prefixes.append_name(out, e.name);
  if (declare) prefixes.append_declarations(out);
  for (const auto& [name, value] : e.attributes) {
    out += ' ';
    prefixes.append_name(out, name);
    out += "=\"";
    append_escaped_attribute(out, value);
    out += '"';
  }
  if (e.text.empty() && e.children.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  append_escaped(out, e.text);
  for (const xml_element& child : e.children)
    append_element(out, child, prefixes, false);
  out += "</";
  prefixes.append_name(out, e.name);
  out += '>';
}

void append_property_prefix(std::string& out, const xml_name& name) {
  if (name.ns == dav_ns) {
    out += "D:";
  } else if (name.ns == xml_ns) {
    out += "xml:";
  } else if (!name.ns.empty()) {
    out += "ns0:";
  }
  out += name.local;
}

}  // namespace

// XML 1.0 (fifth edition) and Namespaces in XML 1.0 (third edition), as expat reads them.
xml_error parse_xml(std::string_view document, const xml_limits& limits, xml_element& root) {
  root = xml_element{};
  if (has_utf16_bom(document)) return xml_error::malformed;
  const std::unique_ptr<XML_ParserStruct, parser_deleter> parser(
      XML_ParserCreateNS("UTF-8", ns_separator));
  if (!parser) throw std::bad_alloc();
  parse_state s;
  s.parser = parser.get();
  s.limits = &limits;
  install_handlers(parser.get(), s);
  do {
    const std::size_t n = std::min(document.size(), feed_size);
    const bool last = n == document.size();
    if (XML_Parse(parser.get(), document.data(), static_cast<int>(n),
                  last ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
      if (s.error == xml_error::none) s.error = xml_error::malformed;
      break;
    }
    document.remove_prefix(n);
  } while (!document.empty());
  if (s.error == xml_error::none) root = std::move(s.root);
  return s.error;
}

std::string to_xml(const xml_element& e) {
  prefix_map prefixes;
  prefixes.collect(e);
  std::string out;
  append_element(out, e, prefixes, true);
  return out;
}

void append_escaped(std::string& out, std::string_view text) {
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
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
}

// RFC 4918 §8.3.1 asks for hrefs as URIs; RFC 3986 §2.1 percent-encoding of every byte that is
// not unreserved (§2.3) keeps spaces, '%', '#', '?' and non-ASCII names intact.
void append_href(std::string& out, std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (is_unreserved_or_slash(u)) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0x0f];
    }
  }
}

void append_open_name(std::string& out, const xml_name& name) {
  out += '<';
  append_property_prefix(out, name);
  if (name.ns.empty()) {
    out += " xmlns=\"\"";
  } else if (name.ns != dav_ns && name.ns != xml_ns) {
    out += " xmlns:ns0=\"";
    append_escaped_attribute(out, name.ns);
    out += '"';
  }
}

void append_close_name(std::string& out, const xml_name& name) {
  out += "</";
  append_property_prefix(out, name);
  out += '>';
}

}  // namespace teapot::handlers::webdav
