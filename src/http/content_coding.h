// Choosing a content-coding for a response the server compresses itself (RFC 9110 §8.4,
// §12.5.3), and the facts that choice changes: which media types are worth it and the entity
// tag of the coded representation. Pure functions, no codec.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace teapot::http {

// The coding of offered (the server's codings, most preferred first) to send for
// accept_encoding, or nullopt for identity. A coding is chosen when its weight
// (coding_quality) is above 0 and at least identity's, where identity weighs what the field
// gives it ("identity;q=0.5", or through "*") and nothing when the field does not name it:
// "gzip;q=0.5" alone lists what the client accepts besides identity, and compressing is why it
// listed gzip. Among codings of equal weight the earlier in offered wins, and a coding that
// ties with identity wins too. An absent or malformed field gives identity (§12.5.3:
// the server may then send any coding, but a client that said nothing gets the bytes it can
// certainly read). Names are compared case-insensitively; x-gzip counts as gzip.
std::optional<std::size_t> choose_content_coding(std::optional<std::string_view> accept_encoding,
                                                 std::span<const std::string_view> offered);

// True when content_type (a Content-Type value, parameters allowed) matches one of patterns:
// "type/subtype", "type/*", or "+suffix" (a structured syntax suffix, RFC 6838 §4.2.8, such
// as "+json" for "application/ld+json"). Case-insensitive.
bool is_compressible_type(std::string_view content_type, std::span<const std::string> patterns);

}  // namespace teapot::http
