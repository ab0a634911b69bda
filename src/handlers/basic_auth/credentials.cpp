#include "handlers/basic_auth/credentials.h"

#include <array>

namespace teapot::handlers::basic_auth {

namespace {

// 0..63 for the alphabet, 64 for any other byte.
constexpr std::array<unsigned char, 256> make_base64_table() {
  std::array<unsigned char, 256> t{};
  t.fill(64);
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
  return t;
}

constexpr auto base64_values = make_base64_table();

bool is_control(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Auth-scheme names are case-insensitive (RFC 9110 §11.1).
bool is_basic_scheme(std::string_view name) noexcept {
  constexpr std::string_view basic = "basic";
  if (name.size() != basic.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != basic[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  while (text.ends_with('='))
    text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;  // one leftover character holds no byte
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const unsigned v = base64_values[static_cast<unsigned char>(c)];
    if (v == 64) return std::nullopt;  // outside the alphabet, or '=' before the end
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

credentials parse_basic_credentials(std::optional<std::string_view> field) {
  credentials c;
  if (!field) {
    c.error = credentials_error::missing;
    return c;
  }
  // credentials = auth-scheme [ 1*SP token68 ] (RFC 9110 §11.4, RFC 7617 §2)
  std::string_view v = *field;
  std::size_t space = v.find(' ');
  if (!is_basic_scheme(v.substr(0, space))) {
    c.error = credentials_error::other_scheme;
    return c;
  }
  std::string_view token = space == std::string_view::npos ? std::string_view{} : v.substr(space);
  while (token.starts_with(' '))
    token.remove_prefix(1);
  std::optional<std::string> text = token.empty() ? std::nullopt : decode_base64(token);
  if (!text) {
    c.error = credentials_error::bad_base64;
    return c;
  }
  std::size_t colon = text->find(':');
  if (colon == std::string::npos) {
    c.error = credentials_error::no_colon;
    return c;
  }
  c.user = text->substr(0, colon);
  c.password = text->substr(colon + 1);
  for (char ch : *text) {
    if (is_control(ch)) {
      c.error = credentials_error::control_character;
      c.password.clear();
      return c;
    }
  }
  return c;
}

}  // namespace teapot::handlers::basic_auth
