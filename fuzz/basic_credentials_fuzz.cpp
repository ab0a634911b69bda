// The Authorization field of the Basic scheme (RFC 7617 §2) and its base64 (RFC 4648 §4), the
// one part of Basic auth a client writes. Checks that decoded credentials hold what §2 allows
// and that the decoder inverts an encoder written here.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "handlers/basic_auth/credentials.h"

namespace {

using teapot::fuzz::check;
using teapot::handlers::basic_auth::credentials_error;

std::string encode_base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]))
                                << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out += alphabet[(v >> shift) & 63];
  }
  const std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (left == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += left == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool has_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = teapot::fuzz::as_text(data, size);

  if (const std::optional<std::string> decoded =
          teapot::handlers::basic_auth::decode_base64(text)) {
    check(decoded->size() <= text.size() * 3 / 4);
    const std::optional<std::string> again =
        teapot::handlers::basic_auth::decode_base64(encode_base64(*decoded));
    check(again && *again == *decoded);
  }
  // Any bytes, encoded, decode to themselves.
  const std::optional<std::string> round =
      teapot::handlers::basic_auth::decode_base64(encode_base64(text));
  check(round && *round == text);

  const auto c = teapot::handlers::basic_auth::parse_basic_credentials(text);
  if (c.error == credentials_error::none) {
    check(c.user.find(':') == std::string::npos);
    check(!has_control(c.user) && !has_control(c.password));
  } else {
    check(c.password.empty());  // a refused password is never kept
  }
  // The same credentials, written as a client writes them, read back the same.
  const auto sent = teapot::handlers::basic_auth::parse_basic_credentials(
      "Basic " + encode_base64(std::string(text.substr(0, text.find(':'))) + ":pw"));
  if (text.find(':') != std::string_view::npos && !has_control(text.substr(0, text.find(':')))) {
    check(sent.error == credentials_error::none && sent.user == text.substr(0, text.find(':')) &&
          sent.password == "pw");
  }
  check(teapot::handlers::basic_auth::parse_basic_credentials(std::nullopt).error ==
        credentials_error::missing);
  return 0;
}
