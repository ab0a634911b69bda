#include "http/path.h"

#include "base/ascii.h"

namespace teapot::http {

namespace {

bool is_control(unsigned char c) noexcept {
  return c < 0x20 || c == 0x7f;
}

// Nothing to decode or remove: the common case costs one scan and no copy.
bool is_already_normal(std::string_view p) noexcept {
  for (std::size_t i = 0; i < p.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '%' || c == '\\' || is_control(c) || c >= 0x80) return false;
    if (c == '/' && i + 1 < p.size() && (p[i + 1] == '/' || p[i + 1] == '.')) return false;
  }
  return true;
}

path_error percent_decode(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') return path_error::backslash;
    if (c == '%') {
      if (i + 2 >= raw.size()) return path_error::bad_percent_encoding;
      if (!base::ascii::is_hexdig(raw[i + 1]) || !base::ascii::is_hexdig(raw[i + 2]))
        return path_error::bad_percent_encoding;
      c = static_cast<char>(base::ascii::hex_value(raw[i + 1]) * 16 +
                            base::ascii::hex_value(raw[i + 2]));
      if (c == '/') return path_error::encoded_slash;
      if (c == '\\') return path_error::encoded_backslash;
      i += 2;
    }
    if (is_control(static_cast<unsigned char>(c))) return path_error::control_character;
    out.push_back(c);
  }
  return path_error::none;
}

// RFC 3986 §5.2.4 on an already decoded path, in place; empty segments are dropped too.
path_error remove_dot_segments(std::string& p) {
  std::string out;
  out.reserve(p.size());
  std::size_t i = 0;
  bool trailing_slash = false;
  while (i < p.size()) {
    std::size_t start = i + 1;  // p[i] == '/'
    std::size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string_view seg(p.data() + start, end - start);
    trailing_slash = (end == p.size() && (seg.empty() || seg == "." || seg == "..")) ||
                     (end < p.size() && end + 1 == p.size());
    if (seg == "..") {
      if (out.empty()) return path_error::above_root;
      out.resize(out.rfind('/'));
    } else if (!seg.empty() && seg != ".") {
      out.push_back('/');
      out.append(seg);
    }
    i = end;
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  p.swap(out);
  return path_error::none;
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    std::uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, or 0xc0/0xc1 (always overlong), or > U+10FFFF
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

void append_query_as_uri(std::string& out, std::string_view query) {
  namespace ascii = base::ascii;
  static constexpr char hex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    const bool triplet = c == '%' && i + 2 < query.size() && ascii::is_hexdig(query[i + 1]) &&
                         ascii::is_hexdig(query[i + 2]);
    if (triplet || (ascii::is_target_char(c) && c != '%')) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
}

path_error normalize_path(std::string_view raw, std::string& scratch, std::string_view& result) {
  if (raw.empty() || raw.front() != '/') return path_error::not_absolute;
  if (is_already_normal(raw)) {
    result = raw;
    return path_error::none;
  }
  if (auto e = percent_decode(raw, scratch); e != path_error::none) return e;
  if (!is_valid_utf8(scratch)) return path_error::invalid_utf8;
  if (auto e = remove_dot_segments(scratch); e != path_error::none) return e;
  result = scratch;
  return path_error::none;
}

}  // namespace teapot::http
