#include "ws/close_code.h"

namespace teapot::ws {

bool is_valid_received_code(std::uint16_t code) noexcept {
  if (code >= 3000 && code <= 4999) return true;
  if (code < 1000 || code > 1014) return false;
  return code != 1004 && code != 1005 && code != 1006;
}

}  // namespace teapot::ws
