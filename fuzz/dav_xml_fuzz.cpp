// The XML of WebDAV request bodies (RFC 4918 §14) and the readers of PROPFIND, PROPPATCH and
// LOCK on it. Checks that a refused document leaves nothing behind, that a reader says why
// exactly when it refuses, that what to_xml writes (alone, and inside a default namespace, as a
// stored value is inside a response) reads back as the same element, and that an href is
// percent-encoding that decodes to the bytes it was made of.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "handlers/webdav/dav_requests.h"
#include "handlers/webdav/xml.h"

namespace {

using teapot::fuzz::check;
using teapot::handlers::webdav::parse_xml;
using teapot::handlers::webdav::xml_element;
using teapot::handlers::webdav::xml_error;
using teapot::handlers::webdav::xml_limits;

bool is_xml_space(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Whitespace beside child elements is indentation, dropped by the parser.
void check_text(const xml_element& e) {
  if (!e.children.empty()) check(e.text.empty() || !is_xml_space(e.text));
  for (const xml_element& child : e.children)
    check_text(child);
}

void check_reads_back(const xml_element& e) {
  const std::string xml = teapot::handlers::webdav::to_xml(e);
  xml_element again;
  check(parse_xml(xml, xml_limits{}, again) == xml_error::none);
  check(again == e);
  // One level deeper than e: the limit is raised by one for the wrapper.
  const std::string inside = "<p:prop xmlns:p=\"DAV:\" xmlns=\"urn:default\">" + xml + "</p:prop>";
  xml_limits one_more;
  ++one_more.max_depth;
  ++one_more.max_elements;
  check(parse_xml(inside, one_more, again) == xml_error::none);
  check(again.children.size() == 1 && again.children[0] == e);
}

void check_stored(const std::string& xml, const teapot::handlers::webdav::xml_name& name) {
  xml_element value;
  check(parse_xml(xml, xml_limits{}, value) == xml_error::none);
  check(value.name == name);
}

void check_readers(const xml_element& root) {
  std::string why;
  teapot::handlers::webdav::propfind_request propfind;
  check(read_propfind(root, propfind, why) == why.empty());

  why.clear();
  std::vector<teapot::handlers::webdav::proppatch_instruction> patch;
  const bool patch_ok = read_proppatch(root, patch, why);
  check(patch_ok == why.empty() && patch_ok == !patch.empty());
  for (const auto& i : patch) {
    if (i.remove) {
      check(i.value_xml.empty());
    } else {
      check_stored(i.value_xml, i.name);
    }
  }

  why.clear();
  teapot::handlers::webdav::lockinfo lock;
  const bool lock_ok = read_lockinfo(root, lock, why);
  check(lock_ok == why.empty());
  if (lock_ok && !lock.owner_xml.empty()) check_stored(lock.owner_xml, {"DAV:", "owner"});
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void check_href(std::string_view path) {
  std::string href;
  teapot::handlers::webdav::append_href(href, path);
  std::string decoded;
  for (std::size_t i = 0; i < href.size(); ++i) {
    const char c = href[i];
    if (c != '%') {
      check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/');
      decoded += c;
      continue;
    }
    check(i + 2 < href.size());
    const int hi = hex_value(href[i + 1]);
    const int lo = hex_value(href[i + 2]);
    check(hi >= 0 && lo >= 0);
    decoded += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  check(decoded == path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view document = teapot::fuzz::as_text(data, size);
  check_href(document);

  xml_element root;
  const xml_error e = parse_xml(document, xml_limits{}, root);
  if (e != xml_error::none) {
    check(root == xml_element{});
    return 0;
  }
  check_text(root);
  check_readers(root);
  check_reads_back(root);
  return 0;
}
