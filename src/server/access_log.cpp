#include "server/access_log.h"

#include <charconv>
#include <cstdio>

namespace teapot::srv {

namespace {

// The timestamp of one second, formatted once per thread and second: a busy worker writes
// many lines per second.
struct stamp_cache {
  std::time_t second = -1;
  char clf[32] = {};  // 10/Oct/2000:13:55:36 +0000
  std::size_t clf_size = 0;
  char iso[32] = {};  // 2000-10-10T13:55:36Z
  std::size_t iso_size = 0;
};

const stamp_cache& stamps(std::time_t t) {
  thread_local stamp_cache cache;
  if (cache.second != t) {
    std::tm utc{};
    gmtime_r(&t, &utc);
    cache.clf_size = std::strftime(cache.clf, sizeof cache.clf, "%d/%b/%Y:%H:%M:%S +0000", &utc);
    cache.iso_size = std::strftime(cache.iso, sizeof cache.iso, "%Y-%m-%dT%H:%M:%SZ", &utc);
    cache.second = t;
  }
  return cache;
}

void append_hex_byte(std::string& out, std::string_view prefix, unsigned char u) {
  static constexpr char digits[] = "0123456789abcdef";
  out += prefix;
  out.push_back(digits[u >> 4]);
  out.push_back(digits[u & 0xf]);
}

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// The bytes of a quoted field: '"' and '\' behind a backslash, control and non-ASCII bytes as
// \xHH, so that a line stays one line and a field inside its quotes.
void append_clf_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u >= 0x7f) {
      append_hex_byte(out, "\\x", u);
    } else {
      out.push_back(c);
    }
  }
}

// A quoted field of the Common/Combined formats; absent is "-".
void append_clf_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  if (s.empty()) out.push_back('-');
  append_clf_escaped(out, s);
  out.push_back('"');
}

// An unquoted field: the client address, which the socket gave; escaped all the same.
void append_clf_bare(std::string& out, std::string_view s) {
  if (s.empty()) out.push_back('-');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\')
      append_hex_byte(out, "\\x", u);
    else
      out.push_back(c);
  }
}

struct utf8_step {
  std::size_t length;  // of the sequence, or of its maximal subpart when it is ill-formed
  bool valid;
};

// The UTF-8 sequence that starts s (non-empty, first byte >= 0x80), by the table of RFC 3629
// §4: no overlong forms, no surrogates, nothing above U+10FFFF. An ill-formed one is as long as
// its maximal subpart (Unicode §3.9), the bytes that one U+FFFD replaces.
utf8_step next_utf8(std::string_view s) noexcept {
  const auto lead = static_cast<unsigned char>(s[0]);
  std::size_t trail = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    trail = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    trail = 2;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    trail = 3;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return {1, false};
  }
  for (std::size_t k = 1; k <= trail; ++k) {
    if (k >= s.size()) return {k, false};
    const auto c = static_cast<unsigned char>(s[k]);
    if (c < low || c > high) return {k, false};
    low = 0x80;
    high = 0xBF;
  }
  return {trail + 1, true};
}

// The characters of a JSON string (RFC 8259 §7): '"' and '\' escaped, control characters
// (C0, DEL and C1, which a terminal may obey) as \u00XX, other UTF-8 as it is, and each
// ill-formed sequence as U+FFFD, so that the line is valid UTF-8 (RFC 8259 §8.1).
void append_json_chars(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x80) {
      if (u == '"' || u == '\\') {
        out.push_back('\\');
        out.push_back(s[i]);
      } else if (u < 0x20 || u == 0x7f) {
        append_hex_byte(out, "\\u00", u);
      } else {
        out.push_back(s[i]);
      }
      ++i;
      continue;
    }
    const utf8_step step = next_utf8(s.substr(i));
    if (!step.valid) {
      out += "\xEF\xBF\xBD";
    } else if (u == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      append_hex_byte(out, "\\u00", static_cast<unsigned char>(s[i + 1]));  // U+0080-U+009F
    } else {
      out.append(s.substr(i, step.length));
    }
    i += step.length;
  }
}

// A JSON string, or null when absent.
void append_json_string(std::string& out, std::string_view s, bool empty_is_null = true) {
  if (s.empty() && empty_is_null) {
    out += "null";
    return;
  }
  out.push_back('"');
  append_json_chars(out, s);
  out.push_back('"');
}

// Seconds with millisecond resolution, as nginx writes $request_time: "0.004".
void append_seconds(std::string& out, std::uint64_t ms) {
  append_number(out, ms / 1000);
  out.push_back('.');
  const auto frac = static_cast<unsigned>(ms % 1000);
  out.push_back(static_cast<char>('0' + frac / 100));
  out.push_back(static_cast<char>('0' + frac / 10 % 10));
  out.push_back(static_cast<char>('0' + frac % 10));
}

void append_clf(const access_entry& e, bool combined, std::string& out) {
  append_clf_bare(out, address_without_port(e.client));
  out += " - - [";
  const stamp_cache& t = stamps(e.time);
  out.append(t.clf, t.clf_size);
  out += "] ";
  append_clf_quoted(out, e.request_line);
  out.push_back(' ');
  append_number(out, static_cast<std::uint64_t>(e.status));
  out.push_back(' ');
  append_number(out, e.bytes);
  if (combined) {
    out.push_back(' ');
    append_clf_quoted(out, e.referer);
    out.push_back(' ');
    append_clf_quoted(out, e.user_agent);
  }
  out.push_back('\n');
}

void append_json(const access_entry& e, std::string& out) {
  const stamp_cache& t = stamps(e.time);
  out += "{\"time\":\"";
  out.append(t.iso, t.iso_size);
  out += "\",\"client\":";
  append_json_string(out, address_without_port(e.client));
  out += ",\"host\":";
  append_json_string(out, e.host);
  out += ",\"request\":";
  append_json_string(out, e.request_line, false);
  out += ",\"method\":";
  append_json_string(out, e.method);
  out += ",\"target\":";
  append_json_string(out, e.target);
  out += ",\"protocol\":";
  append_json_string(out, e.protocol);
  out += ",\"status\":";
  append_number(out, static_cast<std::uint64_t>(e.status));
  out += ",\"bytes\":";
  append_number(out, e.bytes);
  out += ",\"duration\":";
  if (e.duration_ms)
    append_seconds(out, *e.duration_ms);
  else
    out += "null";
  out += ",\"referer\":";
  append_json_string(out, e.referer);
  out += ",\"user_agent\":";
  append_json_string(out, e.user_agent);
  out += "}\n";
}

}  // namespace

std::string_view address_without_port(std::string_view peer) noexcept {
  if (!peer.empty() && peer.front() == '[') {
    std::size_t close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  std::size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

void append_access_line(access_log_format format, const access_entry& entry, std::string& out) {
  switch (format) {
    case access_log_format::common:
      return append_clf(entry, false, out);
    case access_log_format::combined:
      return append_clf(entry, true, out);
    case access_log_format::json:
      return append_json(entry, out);
  }
}

}  // namespace teapot::srv
