#include "handlers/basic_auth/step_parts.h"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "base/ascii.h"
#include "handlers/basic_auth/htpasswd.h"

namespace teapot::handlers::basic_auth {

std::string escape_for_log(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      base::ascii::append_hex(out, u, 2);
    }
  }
  return out;
}

std::string make_challenge(std::string_view realm) {
  std::string out = "Basic realm=\"";
  for (char c : realm) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) throw std::invalid_argument("the realm holds a control character");
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\", charset=\"UTF-8\"";
}

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

std::map<std::string, std::string, std::less<>> load_users(const std::filesystem::path& path) {
  if (path.empty()) return {};
  htpasswd_file file = parse_htpasswd(read_file(path));
  if (!file.errors.empty()) {
    const htpasswd_error& e = file.errors.front();
    throw std::invalid_argument(path.string() + ":" + std::to_string(e.line) + ": " + e.what);
  }
  return std::move(file.users);
}

const char* describe(credentials_error e) noexcept {
  switch (e) {
    case credentials_error::none:
      return "no error";
    case credentials_error::missing:
      return "no credentials";
    case credentials_error::other_scheme:
      return "not the Basic scheme";
    case credentials_error::bad_base64:
      return "credentials not in base64";
    case credentials_error::no_colon:
      return "credentials without a colon";
    case credentials_error::control_character:
      return "credentials with a control character";
  }
  return "malformed credentials";
}

}  // namespace teapot::handlers::basic_auth
