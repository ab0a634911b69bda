// The transforming proxy's readings of upstream bytes: line 1 is a Content-Type value (media
// type, charset, and the value rewritten with charset=utf-8, which must read back as the same
// type with that charset), then the content, transcoded from windows-1252 whole, one byte per
// call and cut in two where the content's first byte says; the three must agree, and the text
// must be valid UTF-8 unless a UTF-8 byte order mark made it pass as it came.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/charset_transcoder.h"
#include "http/media_type.h"
#include "http/transcoding_rule.h"

namespace {

using teapot::fuzz::check;
namespace http = teapot::http;

std::string transcode_in_pieces(std::string_view in, const std::vector<std::size_t>& cuts) {
  http::charset_transcoder t(http::legacy_charset::windows_1252);
  check(t.is_open());
  std::string out;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    t.transcode(in.substr(from, cut - from), out);
    from = cut;
  }
  t.transcode(in.substr(from), out);
  t.finish(out);
  return out;
}

// RFC 3629 §4: no overlong form, no surrogate, nothing past U+10FFFF.
bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80                ? 1
                          : b >= 0xC2 && b < 0xE0 ? 2
                          : b >= 0xE0 && b < 0xF0 ? 3
                          : b >= 0xF0 && b < 0xF5 ? 4
                                                  : 0;
    if (n == 0 || i + n > s.size()) return false;
    char32_t c = n == 1 ? b : b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      c = (c << 6) | (t & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
      return false;
    i += n;
  }
  return true;
}

void check_media_type(std::string_view value) {
  const auto m = http::parse_media_type(value);
  (void)http::has_no_transform(value);
  (void)http::is_content_coded(value);
  if (!m || !m->charset) return;
  check(m->charset->at + m->charset->length <= value.size());
  const std::string rewritten = http::with_charset(value, *m->charset, "utf-8");
  const auto again = http::parse_media_type(rewritten);
  check(again && again->charset && again->charset->label == "utf-8");
  check(again->type == m->type && again->subtype == m->subtype);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto fields = teapot::fuzz::split_fields<2>(teapot::fuzz::as_text(data, size));
  check_media_type(*fields[0]);
  if (!fields[1]) return 0;
  const std::string_view in = *fields[1];
  const std::string whole = transcode_in_pieces(in, {});
  std::vector<std::size_t> bytes;
  for (std::size_t k = 1; k < in.size(); ++k)
    bytes.push_back(k);
  check(transcode_in_pieces(in, bytes) == whole);
  if (!in.empty())
    check(transcode_in_pieces(in, {static_cast<unsigned char>(in[0]) % in.size()}) == whole);
  check(whole.size() <= 3 * in.size());
  if (!in.starts_with("\xEF\xBB\xBF")) check(is_valid_utf8(whole));
  return 0;
}
