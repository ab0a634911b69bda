// Base64 (RFC 4648 §4) as the opening handshake needs it: the client's nonce checked, the
// server's SHA-1 digest written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace teapot::ws {

// Appends the base64 of bytes, padded with '='.
void append_base64(std::string& out, std::span<const std::uint8_t> bytes);

// The number of bytes text decodes to, or -1 when it is not base64: the standard alphabet, its
// length a multiple of four, '=' only as the padding at its end. Bits that padding leaves over
// are not required to be zero (RFC 4648 §3.5 lets a decoder choose; a client's nonce is read,
// never decoded for use).
long base64_decoded_size(std::string_view text) noexcept;

}  // namespace teapot::ws
