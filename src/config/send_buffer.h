// server.send_buffer (and `teapot serve --send-buffer`): the SO_SNDBUF of accepted connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::config {

// Below 4 KiB the kernel raises the value to its own floor, so the buffer would not be the one
// asked for; above 512 MiB the kernel's doubling no longer fits its int, and no stalled reader
// should ever be allowed to pin that much.
inline constexpr std::uint64_t min_send_buffer = std::uint64_t{4} << 10;
inline constexpr std::uint64_t max_send_buffer = std::uint64_t{512} << 20;

// "auto" (0: the kernel's autotuning) or a size as parse_size reads it; nullopt for anything
// else. The range is checked apart, by check_send_buffer.
std::optional<std::uint64_t> parse_send_buffer(std::string_view text) noexcept;

// Empty when bytes is 0 or in [min_send_buffer, max_send_buffer]; else what is wrong.
std::string check_send_buffer(std::uint64_t bytes);

}  // namespace teapot::config
