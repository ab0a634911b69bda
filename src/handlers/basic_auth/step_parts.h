// What the site's access step (basic_auth.cpp) and the forward proxy's authentication step
// (proxy_auth.cpp) share: the challenge, the users of the htpasswd file, and the log's text.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "handlers/basic_auth/credentials.h"

namespace teapot::handlers::basic_auth {

// Basic realm="...", charset="UTF-8" (RFC 7617 §2, §2.1); the realm is a quoted-string (RFC 9110
// §5.6.4). Throws std::invalid_argument for a control character in the realm.
std::string make_challenge(std::string_view realm);

// The users of an htpasswd file (none for an empty path). Throws std::system_error when it
// cannot be read and std::invalid_argument for its first bad line.
std::map<std::string, std::string, std::less<>> load_users(const std::filesystem::path& path);

// For the log: printable ASCII as is, anything else (UTF-8 included) as \xNN, so that a user
// name cannot forge log lines or smuggle terminal escapes.
std::string escape_for_log(std::string_view s);

const char* describe(credentials_error e) noexcept;

}  // namespace teapot::handlers::basic_auth
