#include "config/units.h"

#include <charconv>
#include <limits>
#include <utility>

namespace teapot::config {

namespace {

struct number_and_unit {
  std::uint64_t value;
  std::string_view unit;
};

std::optional<number_and_unit> split(std::string_view text) noexcept {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  return number_and_unit{value, text.substr(static_cast<std::size_t>(end - text.data()))};
}

std::optional<std::uint64_t> scaled(std::uint64_t value, std::uint64_t factor) noexcept {
  if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor)
    return std::nullopt;
  return value * factor;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) noexcept {
  auto n = split(text);
  if (!n) return std::nullopt;
  struct unit {
    std::string_view name;
    std::uint64_t factor;
  };
  static constexpr unit units[] = {
      {"", 1},          {"B", 1},     {"KiB", 1 << 10}, {"MiB", 1 << 20},
      {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000000},  {"GB", 1000000000},
  };
  for (const unit& u : units)
    if (n->unit == u.name) return scaled(n->value, u.factor);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
  auto n = split(text);
  if (!n) return std::nullopt;
  std::uint64_t factor;
  if (n->unit.empty() || n->unit == "s")
    factor = 1000;
  else if (n->unit == "ms")
    factor = 1;
  else if (n->unit == "m")
    factor = 60'000;
  else if (n->unit == "h")
    factor = 3'600'000;
  else if (n->unit == "d")
    factor = 86'400'000;
  else
    return std::nullopt;
  auto ms = scaled(n->value, factor);
  if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
}

std::string format_size(std::uint64_t bytes) {
  for (auto [unit, factor] :
       {std::pair<const char*, std::uint64_t>{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}})
    if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + unit;
  return std::to_string(bytes);
}

std::string format_duration(std::chrono::milliseconds ms) {
  const std::int64_t n = ms.count();
  for (auto [unit, factor] :
       {std::pair<const char*, std::int64_t>{"h", 3'600'000}, {"m", 60'000}, {"s", 1000}})
    if (n != 0 && n % factor == 0) return std::to_string(n / factor) + unit;
  return n == 0 ? "0s" : std::to_string(n) + "ms";
}

}  // namespace teapot::config
