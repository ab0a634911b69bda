// The credentials of an Authorization field of the Basic scheme (RFC 7617 §2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::handlers::basic_auth {

enum class credentials_error : std::uint8_t {
  none,
  missing,            // no Authorization field
  other_scheme,       // a scheme other than Basic
  bad_base64,         // the token68 is not base64
  no_colon,           // the decoded text has no ':' between user-id and password
  control_character,  // RFC 7617 §2: neither part may contain control characters
};

struct credentials {
  std::string user;
  std::string password;
  credentials_error error = credentials_error::none;
};

// Strict base64 (RFC 4648 §4): the standard alphabet, padding optional but only at the end.
std::optional<std::string> decode_base64(std::string_view text);

// field is the Authorization value, or nullopt when the request has none. The scheme name is
// case-insensitive (RFC 9110 §11.1); the user-id ends at the first colon, so the password may
// hold colons (RFC 7617 §2). Bytes are kept as sent: with charset="UTF-8" announced they are
// UTF-8, compared byte for byte with the htpasswd file.
credentials parse_basic_credentials(std::optional<std::string_view> field);

}  // namespace teapot::handlers::basic_auth
