// Choosing the language of a response from the client's Accept-Language field
// (RFC 9110 §12.5.4, language ranges of RFC 4647 §2.1). A pure function: no allocation.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace teapot::http {

// Returns the element of `supported` (BCP 47 tags such as "en", "fr", "fr-x-uwu") that best
// fits the Accept-Language value `field`, or supported.front() — the default — when the field
// is empty, malformed, or accepts none of them (an empty view when `supported` is empty). Tags
// and ranges compare case-insensitively.
//
// A range R matches a supported tag T:
//   - exactly, when R equals T;
//   - by prefix, when R is a prefix of T ending at a subtag boundary (basic filtering, RFC 4647
//     §3.3.1: "fr" matches "fr-ca");
//   - by truncation, when T is such a prefix of R ("fr-ca" is answered with "fr", as RFC 4647
//     §3.4 lookup does);
//   - as a wildcard, when R is "*".
// A tag with a private-use part ("fr-x-uwu") is matched only exactly or by truncation: a client
// gets it only by naming it, never through "fr" or "*".
//
// Each supported tag takes the weight of the closest range that matches it (exact, then prefix,
// then truncation — within a kind, the range whose length is nearest the tag's — then "*"), so
// "fr;q=0, *" excludes French and "fr-ca, *;q=0.1" prefers it. The chosen tag has the highest
// weight above zero; ties go to the range that comes first in the field, then to the closer
// match (as above: "fr-x-uwu-a" picks "fr-x-uwu" over "fr"), then to the order of `supported`.
std::string_view choose_language(std::string_view field,
                                 std::span<const std::string_view> supported) noexcept;

// The weight (thousandths) that `field` gives `tag` by the matching rules above: that of the
// closest matching range, 0 when no range matches; nullopt when the field is malformed.
std::optional<int> language_range_weight(std::string_view field, std::string_view tag) noexcept;

}  // namespace teapot::http
