// Text in a legacy charset to UTF-8, decoded as a browser decodes it, fed piece by piece:
// sans-IO (bytes in, bytes appended out, no socket) over glibc's iconv, with no code tables of
// teapot's own. Made for the transforming proxy (docs/proxy.md, "Transcoding (203)").
//
// What a browser does, and so what this does (WHATWG Encoding Standard):
// - Every label of windows-1252 in the standard's table (§4.2), iso-8859-1 and latin1 among
//   them, decodes as windows-1252: a page labelled iso-8859-1 that holds 0x93 shows a quotation
//   mark, never the C1 control U+0093. The ASCII labels of that table (us-ascii, ascii,
//   ansi_x3.4-1968) are left out: ASCII is UTF-8 already.
// - The five bytes windows-1252 leaves undefined in iconv (0x81 0x8D 0x8F 0x90 0x9D) decode as
//   the C1 controls of the same number (U+0081 ...), as the standard's index gives them: the
//   one rule of teapot's own, "a byte iconv cannot map is the code point of its value".
// - A byte order mark overrides the label ("decode", §6: BOM sniffing): after EF BB BF the
//   text is UTF-8 and passes unchanged; after FE FF or FF FE it is UTF-16BE/LE, converted by
//   iconv too, an unpaired surrogate or a code unit cut by the end becoming U+FFFD. The mark
//   itself is not written out.
// Thread contract: one object per response, used by one thread at a time.
#pragma once

#include <iconv.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::http {

// The legacy charsets the transcoder reads.
enum class legacy_charset : std::uint8_t { windows_1252 };

// The legacy charset a charset label names (ASCII case-insensitive, ASCII whitespace around it
// ignored, as the standard's "get an encoding" reads a label), or nullopt for any other.
std::optional<legacy_charset> legacy_charset_for_label(std::string_view label) noexcept;

class charset_transcoder {
 public:
  explicit charset_transcoder(legacy_charset from) noexcept;
  ~charset_transcoder();
  charset_transcoder(const charset_transcoder&) = delete;
  charset_transcoder& operator=(const charset_transcoder&) = delete;

  // Whether iconv could open the conversion: glibc loads windows-1252 from a gconv module
  // (gconv/CP1252.so, part of libc6), which a trimmed system may lack. A transcoder that is
  // not open must not be fed.
  bool is_open() const noexcept;
  // Appends the UTF-8 of piece to out. Bytes that cannot be told yet (a possible byte order
  // mark at the start, a UTF-16 character cut by the piece's end) are kept for the next call.
  void transcode(std::string_view piece, std::string& out);
  // The end of the text: appends what the kept bytes stand for.
  void finish(std::string& out);

 private:
  enum class mode : std::uint8_t { sniffing, legacy, utf8, utf16 };

  bool sniff(bool at_end);
  void feed(std::string_view in, std::string& out);
  // Converts what it can of in through iconv and returns the bytes used: all of them but an
  // incomplete character at the end.
  std::size_t convert(std::string_view in, std::string& out);

  iconv_t cd_;
  mode mode_ = mode::sniffing;
  std::string pending_;  // bytes kept for the next call (at most 3)
  std::string scratch_;  // what iconv writes, before it is appended to the caller's
};

}  // namespace teapot::http
