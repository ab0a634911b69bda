// Request path normalization (RFC 3986 §2.1, §5.2.4), done once for every request, before
// routing, so that every handler sees the same canonical path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace teapot::http {

enum class path_error : std::uint8_t {
  none,
  not_absolute,          // an origin-form path starts with '/'
  bad_percent_encoding,  // '%' not followed by two hex digits
  encoded_slash,         // "%2F": a segment may not contain '/' (policy: never an alias)
  encoded_backslash,     // "%5C": refused as a raw backslash is, so that no name holds one
                         // and no file system that reads it as a separator sees "..\\"
  backslash,             // a raw '\' (browsers turn it into '/'; curl sends it as typed)
  control_character,     // a decoded NUL, CR, LF or other CTL
  invalid_utf8,          // decoded bytes that are not UTF-8 (overlong '.' included)
  above_root,            // ".." climbing above "/"
};

// Percent-decodes the path once, removes "." and ".." segments and empty segments ("//"),
// keeps a trailing '/', and checks the result. On success, result views either raw (when
// nothing changed) or scratch. The query must already be split off.
path_error normalize_path(std::string_view raw, std::string& scratch, std::string_view& result);

// Appends a query as the request line took it to a URI being written (a Location): the bytes
// of RFC 3986's alphabet (ascii::is_target_char) and pct-encoded triplets as they are, every
// other byte (those browsers leave unencoded, such as '|', '{', '"', bytes above 0x7F, a lone
// '%') as %XX, so that the URI reads back as the same query.
void append_query_as_uri(std::string& out, std::string_view query);

// True when the bytes are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view bytes) noexcept;

}  // namespace teapot::http
