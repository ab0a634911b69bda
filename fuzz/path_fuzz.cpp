// Request path normalization (RFC 3986 §2.1, §5.2.4). Checks what every handler relies on: a
// normalized path starts with '/', has no ".", ".." or empty segment, holds no control
// character nor backslash and is UTF-8; normalizing it again changes nothing when it holds no
// '%' (which a second pass would decode). is_valid_utf8 is compared with a plain decoder
// written here. The same bytes read as a query and written for a Location hold only RFC 3986
// bytes, every '%' starting a triplet.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "fuzz_support.h"
#include "http/path.h"

namespace {

using teapot::fuzz::check;
using teapot::http::path_error;

// Unicode 15 §3.9, table 3-7, read as code points: no overlong form, no surrogate, at most
// U+10FFFF.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    static constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

void check_normal(std::string_view p) {
  check(!p.empty() && p.front() == '/');
  check(reference_utf8(p));
  std::size_t at = 1;
  while (at <= p.size()) {
    std::size_t end = p.find('/', at);
    if (end == std::string_view::npos) end = p.size();
    const std::string_view segment = p.substr(at, end - at);
    check(segment != "." && segment != "..");
    check(!segment.empty() || end == p.size());  // only the last may be empty: a trailing '/'
    at = end + 1;
  }
  for (char c : p) {
    const auto u = static_cast<unsigned char>(c);
    check(u >= 0x20 && u != 0x7f && c != '\\');
  }
}

void check_query_as_uri(std::string_view query) {
  namespace ascii = teapot::base::ascii;
  std::string out;
  teapot::http::append_query_as_uri(out, query);
  for (std::size_t i = 0; i < out.size(); ++i) {
    check(ascii::is_target_char(out[i]));
    if (out[i] == '%') {
      check(i + 2 < out.size() && ascii::is_hexdig(out[i + 1]) && ascii::is_hexdig(out[i + 2]));
    }
  }
  check(out.size() >= query.size() && out.size() <= 3 * query.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw = teapot::fuzz::as_text(data, size);
  check(teapot::http::is_valid_utf8(raw) == reference_utf8(raw));
  check_query_as_uri(raw);

  std::string scratch;
  std::string_view result;
  const path_error e = teapot::http::normalize_path(raw, scratch, result);
  if (e != path_error::none) return 0;
  check_normal(result);
  if (result.find('%') == std::string_view::npos) {
    const std::string first(result);
    std::string scratch2;
    std::string_view again;
    check(teapot::http::normalize_path(first, scratch2, again) == path_error::none);
    check(again == first);
  }
  // A path that ends in '/' names a directory, and normalization keeps that.
  if (raw.size() > 1 && raw.back() == '/') check(result.back() == '/');
  return 0;
}
