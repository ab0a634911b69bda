// The htpasswd file and password verification through libcrypt. Pure functions; verify_password
// uses its own crypt_data per call, so any thread may call it at any time.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::handlers::basic_auth {

struct htpasswd_error {
  std::size_t line = 0;  // from 1
  std::string what;
};

struct htpasswd_file {
  std::map<std::string, std::string, std::less<>> users;  // user -> hash
  std::vector<htpasswd_error> errors;                     // empty when every line was good
};

// True for the hash kinds libcrypt verifies and we accept: bcrypt ($2y$, $2b$, $2a$),
// SHA-crypt ($5$, $6$) and yescrypt ($y$). Apache's MD5 ($apr1$) and {SHA} are refused: they
// are fast to brute-force, and libcrypt does not know $apr1$.
bool is_supported_hash(std::string_view hash) noexcept;

// Lines "user:hash", split at the first colon; a trailing CR is dropped; empty lines and
// lines starting with '#' are skipped. A line without a colon, with an empty user, with an
// unsupported hash, or repeating a user is reported (and left out).
htpasswd_file parse_htpasswd(std::string_view text);

// Hashes password with the settings held in hash (crypt_rn) and compares the result with hash
// in constant time. False for a hash libcrypt refuses, never an exception.
bool verify_password(std::string_view password, const std::string& hash);

// Compares without an early exit, so that the time taken does not tell how many leading bytes
// matched. The lengths are not secret (every hash of a kind has the same length).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace teapot::handlers::basic_auth
