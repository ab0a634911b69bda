// Telling an HTTP/2 connection from an HTTP/1.1 one by its first bytes, for h2c with prior
// knowledge (RFC 9113 §3.3): the client's connection preface (§3.4) is a string that no
// HTTP/1.1 request line can be ("PRI * HTTP/2.0" has a version h1 refuses with 505).
#pragma once

#include <cstdint>
#include <string_view>

namespace teapot::h2 {

inline constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class preface_match : std::uint8_t {
  no,         // these bytes are not the start of the preface: HTTP/1.1 (or garbage) follows
  need_more,  // a proper prefix of the preface (possibly empty): wait for more bytes
  yes,        // the whole preface is there (bytes after it are the client's first frames)
};

// Reads only the first client_preface.size() bytes.
preface_match match_preface(std::string_view first_bytes) noexcept;

inline bool is_h2_preface(std::string_view first_bytes) noexcept {
  return match_preface(first_bytes) == preface_match::yes;
}

}  // namespace teapot::h2
