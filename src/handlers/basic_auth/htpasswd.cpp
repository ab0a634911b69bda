#include "handlers/basic_auth/htpasswd.h"

#include <crypt.h>

#include <memory>
#include <string>

namespace teapot::handlers::basic_auth {

bool is_supported_hash(std::string_view hash) noexcept {
  for (std::string_view prefix : {"$2y$", "$2b$", "$2a$", "$5$", "$6$", "$y$"})
    if (hash.size() > prefix.size() && hash.starts_with(prefix)) return true;
  return false;
}

namespace {

void parse_line(std::string_view line, std::size_t number, htpasswd_file& out) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    out.errors.push_back({number, "expected user:hash"});
    return;
  }
  if (colon == 0) {
    out.errors.push_back({number, "the user name is empty"});
    return;
  }
  std::string_view user = line.substr(0, colon);
  std::string_view hash = line.substr(colon + 1);
  if (!is_supported_hash(hash)) {
    out.errors.push_back({number, "the hash is not bcrypt, SHA-crypt or yescrypt"});
    return;
  }
  if (!out.users.emplace(std::string(user), std::string(hash)).second)
    out.errors.push_back({number, "the user appears on an earlier line"});
}

}  // namespace

htpasswd_file parse_htpasswd(std::string_view text) {
  htpasswd_file out;
  std::size_t number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    parse_line(line, number, out);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool verify_password(std::string_view password, const std::string& hash) {
  // crypt_rn takes C strings: a password with a NUL would be cut short, so refuse it.
  if (password.find('\0') != std::string_view::npos) return false;
  // Zeroed as libcrypt asks before first use; on the heap because it is about 32 KiB, too much
  // for a loop thread's stack to spare on every request.
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  // libcrypt reports a failure as null or, in some builds, as a string starting with '*'.
  if (out == nullptr || out[0] == '*') return false;
  return constant_time_equal(out, hash);
}

}  // namespace teapot::handlers::basic_auth
