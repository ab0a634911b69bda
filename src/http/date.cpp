#include "http/date.h"

#include <cstdint>

namespace teapot::http {
namespace {

constexpr std::int64_t seconds_per_day = 86400;
constexpr std::string_view short_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view long_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool is_leap(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(std::int64_t y, int m) noexcept {
  constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : lengths[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. Counting years from
// March puts the leap day last, so a year's length only matters through whole 400-, 100- and
// 4-year cycles (146097, 36524 and 1461 days).
std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  const std::int64_t year = m <= 2 ? y - 1 : y;
  const std::int64_t cycle = floor_div(year, 400);
  const std::int64_t year_of_cycle = year - cycle * 400;                      // 0..399
  const int month_from_march = m <= 2 ? m + 9 : m - 3;                        // 0..11
  const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;  // 0..365
  const std::int64_t day_of_cycle =
      year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
  constexpr std::int64_t days_0000_03_01_to_epoch = 719468;
  return cycle * 146097 + day_of_cycle - days_0000_03_01_to_epoch;
}

struct civil_date {
  std::int64_t year;
  int month;
  int day;
};

// The inverse of days_from_civil.
civil_date civil_from_days(std::int64_t days) noexcept {
  const std::int64_t shifted = days + 719468;
  const std::int64_t cycle = floor_div(shifted, 146097);
  const std::int64_t day_of_cycle = shifted - cycle * 146097;  // 0..146096
  // Remove the leap days gained so far to find the year within the cycle.
  const std::int64_t year_of_cycle =
      (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36524 - day_of_cycle / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
  const int month_from_march = static_cast<int>((5 * day_of_year + 2) / 153);
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const std::int64_t year = year_of_cycle + cycle * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

char* put_2(char* p, int v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

char* put_text(char* p, std::string_view s) noexcept {
  for (char c : s)
    *p++ = c;
  return p;
}

// A cursor over the text being parsed; every read checks the bounds.
struct reader {
  std::string_view text;
  std::size_t at = 0;

  bool literal(std::string_view expected) noexcept {
    if (text.substr(at, expected.size()) != expected) return false;
    at += expected.size();
    return true;
  }
  bool digits(std::size_t count, int& out) noexcept {
    if (text.size() - at < count) return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    at += count;
    out = value;
    return true;
  }
  // Reads one of `names` (case-sensitive, as RFC 9110 §5.6.7 requires); index is 0-based.
  template <std::size_t N>
  bool name(const std::string_view (&names)[N], int& index) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      if (literal(names[i])) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  bool at_end() const noexcept { return at == text.size(); }
};

struct date_fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// time-of-day = hour ":" minute ":" second
bool read_time(reader& r, date_fields& f) noexcept {
  return r.digits(2, f.hour) && r.literal(":") && r.digits(2, f.minute) && r.literal(":") &&
         r.digits(2, f.second);
}

// IMF-fixdate = day-name "," SP day SP month SP year SP time-of-day SP "GMT"
bool read_imf_fixdate(reader& r, date_fields& f) noexcept {
  int ignored = 0;
  if (!(r.name(short_days, ignored) && r.literal(", ") && r.digits(2, f.day) && r.literal(" ") &&
        r.name(months, f.month) && r.literal(" ") && r.digits(4, f.year) && r.literal(" ")))
    return false;
  ++f.month;
  return read_time(r, f) && r.literal(" GMT") && r.at_end();
}

// rfc850-date = day-name-l "," SP day "-" month "-" 2DIGIT SP time-of-day SP "GMT"
bool read_rfc850_date(reader& r, date_fields& f) noexcept {
  int ignored = 0;
  if (!(r.name(long_days, ignored) && r.literal(", ") && r.digits(2, f.day) && r.literal("-") &&
        r.name(months, f.month) && r.literal("-") && r.digits(2, f.year) && r.literal(" ")))
    return false;
  ++f.month;
  return read_time(r, f) && r.literal(" GMT") && r.at_end();
}

// asctime-date = day-name SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP year
bool read_asctime_date(reader& r, date_fields& f) noexcept {
  int ignored = 0;
  if (!(r.name(short_days, ignored) && r.literal(" ") && r.name(months, f.month) && r.literal(" ")))
    return false;
  ++f.month;
  if (!(r.literal(" ") ? r.digits(1, f.day) : r.digits(2, f.day))) return false;
  return r.literal(" ") && read_time(r, f) && r.literal(" ") && r.digits(4, f.year) && r.at_end();
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
int resolve_two_digit_year(int yy, std::time_t now) noexcept {
  const std::int64_t now_days = floor_div(static_cast<std::int64_t>(now), seconds_per_day);
  const auto current = static_cast<int>(civil_from_days(now_days).year);
  int year = current - current % 100 + yy;
  if (year > current + 50) year -= 100;
  return year;
}

std::optional<std::time_t> to_time(const date_fields& f) noexcept {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > days_in_month(f.year, f.month) ||
      f.hour > 23 || f.minute > 59 || f.second > 60)
    return std::nullopt;
  const std::int64_t days = days_from_civil(f.year, f.month, f.day);
  return static_cast<std::time_t>(days * seconds_per_day + f.hour * 3600 + f.minute * 60 +
                                  f.second);
}

}  // namespace

std::string_view format_imf_fixdate(std::time_t t, char (&out)[imf_fixdate_size]) noexcept {
  const auto seconds = static_cast<std::int64_t>(t);
  // Years 0000 to 9999 only; checked before any arithmetic, which overflows for times near
  // the ends of std::time_t (days * seconds_per_day below INT64_MIN).
  constexpr std::int64_t first_second = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t last_second = 253402300799;   // 9999-12-31T23:59:59Z
  if (seconds < first_second || seconds > last_second) return {};
  const std::int64_t days = floor_div(seconds, seconds_per_day);
  const auto in_day = static_cast<int>(seconds - days * seconds_per_day);
  const civil_date date = civil_from_days(days);
  const auto year = static_cast<int>(date.year);
  // 1970-01-01 was a Thursday (index 4).
  const auto weekday = static_cast<std::size_t>(days + 4 - floor_div(days + 4, 7) * 7);
  char* p = put_text(out, short_days[weekday]);
  p = put_text(p, ", ");
  p = put_2(p, date.day);
  *p++ = ' ';
  p = put_text(p, months[date.month - 1]);
  *p++ = ' ';
  p = put_2(p, year / 100);
  p = put_2(p, year % 100);
  *p++ = ' ';
  p = put_2(p, in_day / 3600);
  *p++ = ':';
  p = put_2(p, in_day / 60 % 60);
  *p++ = ':';
  p = put_2(p, in_day % 60);
  put_text(p, " GMT");
  return {out, imf_fixdate_size};
}

std::optional<std::time_t> parse_http_date(std::string_view text, std::time_t now) noexcept {
  date_fields f;
  if (reader r{text}; read_imf_fixdate(r, f)) return to_time(f);
  if (reader r{text}; read_asctime_date(r, f)) return to_time(f);
  if (reader r{text}; read_rfc850_date(r, f)) {
    f.year = resolve_two_digit_year(f.year, now);
    return to_time(f);
  }
  return std::nullopt;
}

std::optional<std::time_t> parse_http_date(std::string_view text) noexcept {
  return parse_http_date(text, std::time(nullptr));
}

}  // namespace teapot::http
