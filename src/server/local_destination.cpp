#include "server/local_destination.h"

#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace teapot::srv {

namespace {

// a.b.c.d as one number, a first.
bool is_local_v4(std::uint32_t host_order) noexcept {
  const std::uint32_t first = host_order >> 24;
  return first == 127 || first == 0 || (host_order >> 16) == ((169U << 8) | 254U);
}

}  // namespace

bool is_local_destination(const sockaddr_storage& addr) noexcept {
  if (addr.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &addr, sizeof v4);
    return is_local_v4(ntohl(v4.sin_addr.s_addr));
  }
  if (addr.ss_family != AF_INET6) return false;
  sockaddr_in6 v6{};
  std::memcpy(&v6, &addr, sizeof v6);
  const std::uint8_t* b = v6.sin6_addr.s6_addr;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
  bool zero_before_last = true;                            // the first 15 bytes
  for (int i = 0; i < 15; ++i)
    zero_before_last = zero_before_last && b[i] == 0;
  if (zero_before_last && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  bool mapped = b[10] == 0xff && b[11] == 0xff;
  for (int i = 0; i < 10; ++i)
    mapped = mapped && b[i] == 0;
  if (!mapped) return false;
  const std::uint32_t v4 = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                           (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
  return is_local_v4(v4);
}

}  // namespace teapot::srv
