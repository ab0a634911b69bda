// HTTP-date (RFC 9110 §5.6.7): formatting for Date and Last-Modified, parsing for the
// conditional and Retry-After fields. Pure arithmetic on UTC; no locale, no time zone, no
// allocation, safe on any thread.
#pragma once

#include <cstddef>
#include <ctime>
#include <optional>
#include <string_view>

namespace teapot::http {

// Length of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t imf_fixdate_size = 29;

// Writes t as an IMF-fixdate into out (no terminating NUL) and returns a view of it. Years
// outside 0000..9999 have no IMF-fixdate: then nothing is written and the view is empty.
std::string_view format_imf_fixdate(std::time_t t, char (&out)[imf_fixdate_size]) noexcept;

// Reads an HTTP-date in any of the three forms a recipient must accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (obsolete)
//   asctime      "Sun Nov  6 08:49:37 1994"        (obsolete)
// The grammar is followed exactly (case-sensitive names, no surrounding whitespace); a date
// that does not exist (31 Apr, 29 Feb 2023, hour 24) is rejected. The day name must be a valid
// name but is not checked against the date. Second 60 (a leap second) is accepted and counts
// as the next second. The two-digit year of an RFC 850 date is resolved as RFC 9110 requires:
// a year that would be more than 50 years after `now` is taken to be in the previous century.
std::optional<std::time_t> parse_http_date(std::string_view text, std::time_t now) noexcept;
// The same, relative to the current time.
std::optional<std::time_t> parse_http_date(std::string_view text) noexcept;

}  // namespace teapot::http
