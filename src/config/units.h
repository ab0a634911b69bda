// The units operators write for sizes and durations, in flags and (later) the config file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::config {

// "8192", "8KiB", "1MiB", "2GiB" (also "KB"/"MB"/"GB" as powers of 1000, and "B").
// nullopt for anything else, or a value that overflows 64 bits.
std::optional<std::uint64_t> parse_size(std::string_view text) noexcept;

// "2s", "500ms", "1m", "1h", "365d" (days of 24 hours); a bare number is seconds. nullopt for
// anything else.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

// The shortest text parse_size reads back as bytes: "8KiB", "1MiB", "1000" (no decimal units).
std::string format_size(std::uint64_t bytes);

// The shortest text parse_duration reads back as ms: "500ms", "10s", "2m", "1h".
std::string format_duration(std::chrono::milliseconds ms);

}  // namespace teapot::config
