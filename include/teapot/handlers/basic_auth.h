// Access control as a pipeline step: client networks (403), then HTTP Basic authentication
// (RFC 7617) against an htpasswd file (401), then per-path user and group lists (403), all
// decided from the request head (RFC 9110 §11). And the same authentication for the clients
// of a forward proxy (407, RFC 9110 §11.7).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/handlers/ip_network.h"
#include "teapot/policy.h"

namespace teapot::handlers {

// Who may reach the paths starting with `prefix`.
struct access_rule {
  std::string prefix{};
  // When users or groups are named, Basic credentials are required (401 without valid ones)
  // and the user must be named, or be in a named group (403 otherwise). "*" is any user of
  // the htpasswd file. Both empty: no credentials are asked for.
  std::vector<std::string> users{};
  std::vector<std::string> groups{};
  std::vector<ip_network> allow{};  // non-empty: only these networks (403 for others)
  std::vector<ip_network> deny{};   // 403 for these, checked first
};

struct basic_auth_options {
  // Lines "user:hash": bcrypt ($2y$, $2b$, $2a$), SHA-crypt ($5$, $6$) or yescrypt ($y$).
  // Empty lines and lines starting with '#' are skipped. May stay empty when no rule names
  // users or groups.
  std::filesystem::path htpasswd{};
  // Sent as the realm of WWW-Authenticate; printable ASCII or UTF-8, no control characters.
  std::string realm = "teapot";
  std::map<std::string, std::vector<std::string>> groups{};  // group -> its users
  std::vector<ip_network> allow{};                           // the whole site
  std::vector<ip_network> deny{};
  std::vector<access_rule> paths{};  // the rule with the longest matching prefix applies
  // Verified credentials are remembered per worker thread for this long, so that a client
  // sending the same credentials does not pay a slow hash (bcrypt: tens of ms) per request.
  // Zero disables the cache. At most `cache_entries` are kept per thread.
  std::chrono::milliseconds cache_ttl{30'000};
  std::size_t cache_entries = 128;
  // Where failed attempts are reported, one line each, never with the password. null: stderr.
  std::function<void(std::string_view line)> log{};
};

// Reads the htpasswd file now. Throws std::system_error when it cannot be read, and
// std::invalid_argument for a malformed line (with its number), a hash of another kind, a
// realm with control characters, or a rule naming users while no htpasswd is given.
// The step is safe to share between worker threads.
std::shared_ptr<teapot::policy> make_basic_auth(basic_auth_options options);

// Basic authentication of a forward proxy's clients (RFC 9110 §11.7), a step for
// forward_proxy_options::steps: a request without the Proxy-Authorization credentials of a
// user of the htpasswd file (missing, malformed, wrong) gets 407 Proxy Authentication Required
// with Proxy-Authenticate: Basic realm="...", charset="UTF-8" (RFC 7617). Passwords are checked
// on the blocking-work pool, and verified credentials remembered as basic_auth_options says.
struct proxy_auth_options {
  std::filesystem::path htpasswd{};  // as basic_auth_options::htpasswd; required
  std::string realm = "teapot proxy";
  std::chrono::milliseconds cache_ttl{30'000};
  std::size_t cache_entries = 128;
  // Where failed attempts are reported, one line each, never with the password. null: stderr.
  std::function<void(std::string_view line)> log{};
};

// Reads the htpasswd file now. Throws std::system_error when it cannot be read, and
// std::invalid_argument for an empty path, a malformed line or a realm with control characters.
std::shared_ptr<teapot::policy> make_proxy_auth(proxy_auth_options options);

}  // namespace teapot::handlers
