#include "config/send_buffer.h"

#include "config/units.h"

namespace teapot::config {

std::optional<std::uint64_t> parse_send_buffer(std::string_view text) noexcept {
  if (text == "auto") return 0;
  return parse_size(text);
}

std::string check_send_buffer(std::uint64_t bytes) {
  if (bytes == 0 || (bytes >= min_send_buffer && bytes <= max_send_buffer)) return {};
  return std::to_string(bytes) + " bytes is out of range; expected \"auto\" (or 0) or " +
         std::to_string(min_send_buffer) + " (4KiB) to " + std::to_string(max_send_buffer) +
         " (512MiB)";
}

}  // namespace teapot::config
