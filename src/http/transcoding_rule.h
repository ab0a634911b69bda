// When a transforming proxy transcodes an upstream's legacy text to UTF-8 (docs/proxy.md,
// "Transcoding (203)"), and which fields of the response the transformation makes false. Pure
// functions over field values; safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "http/charset_transcoder.h"

namespace teapot::http {

// What the decision reads of an upstream's final response (and of the request it answers).
struct transcoding_facts {
  int status = 0;
  std::string_view content_type;  // the Content-Type value; empty: none
  bool content_coded = false;     // a Content-Encoding or transfer coding besides chunked
  bool no_transform = false;      // no-transform in the response's or the request's Cache-Control
};

// The charset to transcode from, or nullopt to relay the response as it came. Transcoded: a
// 200 only (RFC 9110 §15.3.4: the 203 that tells of the transformation replaces a 200; a 206
// or any other status passes unchanged), without no-transform (RFC 9110 §7.7, RFC 9111
// §5.2.1.6 and §5.2.2.6), whose content is not coded (the bytes would not be text), whose
// Content-Type is text/* (any subtype) with a charset parameter naming a legacy charset
// (legacy_charset_for_label). A Content-Type that is not media-type grammar, or names two
// charsets, is left alone.
std::optional<legacy_charset> charset_to_transcode(const transcoding_facts& facts);

// Whether a Cache-Control value holds the no-transform directive (RFC 9111 §5.2:
// cache-directive = token [ "=" ( token / quoted-string ) ], names case-insensitive); a comma
// inside a quoted argument separates nothing.
bool has_no_transform(std::string_view cache_control) noexcept;

// Whether a Content-Encoding value names a coding besides identity (RFC 9110 §8.4.1).
bool is_content_coded(std::string_view content_encoding) noexcept;

// Fields that describe the upstream's bytes, false for the transcoded ones, which the 203 goes
// without: digests of the content or representation (RFC 1864, RFC 3230, RFC 9530), and
// Accept-Ranges, since a range the client would ask for goes to the upstream and comes back
// in the upstream's bytes (a 206 is never transcoded). Content-Length is the server's own: the
// 203 goes with a length unknown. The entity tag is weakened instead (RFC 9110 §8.8.1: the
// transcoded text means the same, in other bytes).
inline constexpr std::array<std::string_view, 5> fields_false_after_transcoding = {
    "Content-MD5", "Digest", "Content-Digest", "Repr-Digest", "Accept-Ranges"};

}  // namespace teapot::http
