// The HTTP2-Settings field of an h2c upgrade request (RFC 7540 §3.2.1): a SETTINGS payload in
// base64url (RFC 4648 §5) with its trailing '=' omitted. RFC 9113 §3.1 deprecates the upgrade;
// clients still send it (curl --http2 on http:, python h2), so the server keeps answering it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace teapot::h2 {

// The decoded bytes, or nullopt for a character outside the base64url alphabet, a length no
// encoding has (4n+1), or padding anywhere but at the end. Trailing '=' are accepted though
// §3.2.1 says they are omitted: a client that pads means the same payload. The unused low bits
// of the last character are ignored (RFC 4648 §3.5 lets a decoder do either).
std::optional<std::string> decode_base64url(std::string_view text);

}  // namespace teapot::h2
