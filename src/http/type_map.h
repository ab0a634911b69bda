// Type maps: Apache's ".var" files (mod_negotiation), the form of RFC 2295's variant lists
// that real sites use. A map lists the variants of one resource, a record each:
//
//   URI: doc
//
//   URI: doc.en.html
//   Content-Type: text/html; qs=0.9
//   Content-Language: en
//
//   URI: doc.fr.html.gz
//   Content-Type: text/html; charset=iso-8859-1
//   Content-Language: fr, fr-CA
//   Content-Encoding: gzip
//
// Records are separated by blank lines; a field is "Name: value" (names case-insensitive), a
// line starting with space or tab continues the previous field. A record without a
// Content-Type describes the map itself (as Apache's first record does) and offers nothing.
// "qs" is the variant's source quality (RFC 2295 §5.3), taken out of the media type; other
// parameters stay. URIs are relative references to a file beside the map or below its
// directory ("en/doc.html"): no scheme, query, fragment, leading '/', "." or ".." segment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace teapot::http {

struct type_map_variant {
  std::string uri;            // as written (not percent-decoded: the maps name files)
  std::string media_type;     // without qs: "text/html; charset=iso-8859-1"
  int source_quality = 1000;  // qs in thousandths
  std::vector<std::string> languages;
  std::string encoding;  // Content-Encoding, lower-cased; empty for identity
  std::string description;
};

struct type_map {
  std::vector<type_map_variant> variants;  // in the map's order: the server's preference
  // What was wrong, a line each ("line 7: ..."): records with a problem are left out, the rest
  // of the map still serves.
  std::vector<std::string> problems;
};

// At most this many bytes of a map are read: a map is a short list.
inline constexpr std::size_t max_type_map_size = 64 * 1024;

type_map parse_type_map(std::string_view text);

// True for a URI a map may name (see above).
bool is_type_map_uri(std::string_view uri) noexcept;

}  // namespace teapot::http
