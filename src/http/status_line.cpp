#include "http/status_line.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace teapot::http {
namespace {

constexpr int first_code = 100;
constexpr int code_count = 500;
constexpr std::string_view version_prefix = "HTTP/1.1 ";
// Room for the longest registered phrase (31 bytes) and more; a unit test checks that every
// line ends in CRLF, which a truncated one would not.
constexpr std::size_t slot_size = 64;

// One fixed slot per number keeps the whole table in static storage: no heap, one copy.
struct line_table {
  std::array<std::array<char, slot_size>, code_count> bytes{};
  std::array<std::uint8_t, code_count> lengths{};

  line_table() noexcept {
    for (int i = 0; i < code_count; ++i)
      fill(i);
  }

  void fill(int i) noexcept {
    const int code = first_code + i;
    const status_info* entry = find_status(code);
    const std::string_view reason = entry ? entry->reason : std::string_view{};
    auto& slot = bytes[static_cast<std::size_t>(i)];
    std::size_t n = 0;
    const auto put = [&](char c) {
      if (n < slot_size) slot[n++] = c;
    };
    for (char c : version_prefix)
      put(c);
    put(static_cast<char>('0' + code / 100));
    put(static_cast<char>('0' + code / 10 % 10));
    put(static_cast<char>('0' + code % 10));
    put(' ');
    for (char c : reason)
      put(c);
    put('\r');
    put('\n');
    lengths[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n);
  }

  std::string_view line(int i) const noexcept {
    const auto at = static_cast<std::size_t>(i);
    return {bytes[at].data(), lengths[at]};
  }
};

const line_table& table() noexcept {
  static const line_table lines;
  return lines;
}

}  // namespace

std::string_view status_line(status s) noexcept {
  int code = to_int(s);
  if (code < first_code || code >= first_code + code_count)
    code = to_int(status::internal_server_error);
  return table().line(code - first_code);
}

}  // namespace teapot::http
