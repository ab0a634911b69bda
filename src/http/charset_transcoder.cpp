#include "http/charset_transcoder.h"

#include <algorithm>
#include <array>
#include <cerrno>

#include "base/ascii.h"

namespace teapot::http {

namespace {

// iconv_open's failure value, (iconv_t) -1 as POSIX writes it: a pointer made from an integer.
const iconv_t closed = reinterpret_cast<iconv_t>(-1);  // NOLINT(performance-no-int-to-ptr)

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view utf16be_bom = "\xFE\xFF";
constexpr std::string_view utf16le_bom = "\xFF\xFE";
constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::size_t scratch_size = 16 * 1024;

// WHATWG Encoding §4.2, the labels of windows-1252 but its three ASCII ones.
constexpr std::array<std::string_view, 14> windows_1252_labels = {
    "cp1252",     "cp819",     "csisolatin1",  "ibm819",     "iso-8859-1",
    "iso-ir-100", "iso8859-1", "iso88591",     "iso_8859-1", "iso_8859-1:1987",
    "l1",         "latin1",    "windows-1252", "x-cp1252"};

// The name glibc's iconv knows the charset by.
const char* iconv_name(legacy_charset c) {
  switch (c) {
    case legacy_charset::windows_1252:
      return "WINDOWS-1252";
  }
  return "";
}

// ASCII whitespace of the standard (TAB, LF, FF, CR, SPACE).
bool is_ascii_whitespace(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

// The bytes of one undecodable unit and what stands for it: in windows-1252 a byte iconv
// leaves undefined is the code point of its value (the standard's index has U+0081 for 0x81,
// and so on); in UTF-16 an unpaired surrogate (one code unit) is U+FFFD.
std::size_t replace_undecodable(bool utf16, std::string_view at, std::string& out) {
  if (utf16) {
    out.append(replacement);
    return std::min<std::size_t>(2, at.size());
  }
  const auto b = static_cast<unsigned char>(at.front());
  out.push_back(static_cast<char>(0xC0 | (b >> 6)));
  out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
  return 1;
}

}  // namespace

std::optional<legacy_charset> legacy_charset_for_label(std::string_view label) noexcept {
  while (!label.empty() && is_ascii_whitespace(label.front()))
    label.remove_prefix(1);
  while (!label.empty() && is_ascii_whitespace(label.back()))
    label.remove_suffix(1);
  for (std::string_view known : windows_1252_labels)
    if (base::ascii::iequals(label, known)) return legacy_charset::windows_1252;
  return std::nullopt;
}

charset_transcoder::charset_transcoder(legacy_charset from) noexcept
    : cd_(::iconv_open("UTF-8", iconv_name(from))) {}

charset_transcoder::~charset_transcoder() {
  if (cd_ != closed) ::iconv_close(cd_);
}

bool charset_transcoder::is_open() const noexcept {
  return cd_ != closed;
}

void charset_transcoder::transcode(std::string_view piece, std::string& out) {
  if (mode_ == mode::sniffing) {
    const std::size_t take = std::min(piece.size(), utf8_bom.size() - pending_.size());
    pending_.append(piece.substr(0, take));
    piece.remove_prefix(take);
    if (!sniff(false)) return;
  }
  feed(piece, out);
}

void charset_transcoder::finish(std::string& out) {
  if (mode_ == mode::sniffing) {
    sniff(true);
    feed({}, out);
  }
  // Only UTF-16 keeps bytes past a call: a code unit or a pair cut by the end (the standard's
  // decoder gives one U+FFFD for it).
  if (!pending_.empty()) out.append(replacement);
  pending_.clear();
}

// WHATWG Encoding §6 "BOM sniff", on the first bytes (in pending_): false while they may still
// begin a mark. Once decided, pending_ holds the bytes after the mark.
bool charset_transcoder::sniff(bool at_end) {
  const std::string_view seen = pending_;
  for (std::string_view bom : {utf8_bom, utf16be_bom, utf16le_bom}) {
    if (seen.starts_with(bom)) {
      if (bom == utf8_bom) {
        mode_ = mode::utf8;
      } else {
        const iconv_t cd = ::iconv_open("UTF-8", bom == utf16be_bom ? "UTF-16BE" : "UTF-16LE");
        if (cd == closed) break;  // no UTF-16 in this iconv: the label holds
        ::iconv_close(cd_);
        cd_ = cd;
        mode_ = mode::utf16;
      }
      pending_.erase(0, bom.size());
      return true;
    }
    if (!at_end && bom.starts_with(seen)) return false;
  }
  mode_ = mode::legacy;
  return true;
}

// Gives in after what pending_ kept (in mode legacy, utf8 or utf16).
void charset_transcoder::feed(std::string_view in, std::string& out) {
  if (mode_ == mode::utf8) {
    out.append(pending_).append(in);
    pending_.clear();
    return;
  }
  if (!pending_.empty()) {
    // The kept bytes and enough of in to complete a character (4 bytes: a UTF-16 pair).
    const std::size_t kept = pending_.size();
    const std::size_t take = std::min<std::size_t>(in.size(), 4);
    pending_.append(in.substr(0, take));
    const std::size_t used = convert(pending_, out);
    if (used < kept) {  // still incomplete, and then in was short enough to be taken whole
      pending_.erase(0, used);
      return;
    }
    pending_.clear();
    in.remove_prefix(used - kept);
  }
  pending_.assign(in.substr(convert(in, out)));
}

std::size_t charset_transcoder::convert(std::string_view in, std::string& out) {
  // iconv does not write through const; it reads in only.
  char* from = const_cast<char*>(in.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  std::size_t left = in.size();
  // Written to a buffer of its own, then appended, so that out grows by what was written
  // (grown for iconv to write into, it would take the worst case, 3 bytes a byte, zero-filled).
  if (scratch_.empty()) scratch_.resize(scratch_size);
  while (left > 0) {
    char* to = scratch_.data();
    std::size_t room = scratch_.size();
    const std::size_t rc = ::iconv(cd_, &from, &left, &to, &room);
    const int err = errno;
    out.append(scratch_.data(), scratch_.size() - room);
    if (rc != static_cast<std::size_t>(-1) || err == E2BIG) continue;
    if (err != EILSEQ) break;  // EINVAL: a character cut by the end, kept by the caller
    const std::size_t skip =
        replace_undecodable(mode_ == mode::utf16, std::string_view(from, left), out);
    from += skip;
    left -= skip;
  }
  return in.size() - left;
}

}  // namespace teapot::http
