#include "config/non_ascii.h"

namespace teapot::config::detail {

namespace {

// The offset just past the string that starts at `at` (a quote): basic strings honour
// backslash escapes, literal ones do not; a one-line string also ends at a line end, where
// toml++ reports it. A multi-line delimiter may be followed by up to two more quotes, which
// belong to the content (TOML 1.0 §String).
std::size_t skip_string(std::string_view text, std::size_t at) noexcept {
  const char quote = text[at];
  const bool basic = quote == '"';
  const std::string_view triple = basic ? "\"\"\"" : "'''";
  std::size_t i = at + 1;
  if (text.substr(at, 3) == triple) {
    i = at + 3;
    while (i < text.size()) {
      if (basic && text[i] == '\\') {
        i += 2;
      } else if (text.substr(i, 3) == triple) {
        i += 3;
        for (int extra = 0; extra < 2 && i < text.size() && text[i] == quote; ++extra)
          ++i;
        return i;
      } else {
        ++i;
      }
    }
    return text.size();
  }
  while (i < text.size() && text[i] != '\n') {
    if (basic && text[i] == '\\') {
      i += 2;
      continue;
    }
    if (text[i++] == quote) return i;
  }
  return i < text.size() ? i : text.size();
}

}  // namespace

std::optional<text_position> find_non_ascii_outside_strings(std::string_view text) noexcept {
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // toml++ skips a byte order mark
  std::size_t line_start = 0;
  std::uint32_t line = 1;
  // The last byte outside strings and comments that was not a space or a tab: a quote opens a
  // string only where TOML lets one start (a quoted key, a value, an element). Elsewhere ("1\"")
  // toml++ reads past the quote as no string, and so does this scan.
  char last = '\n';
  auto new_line = [&](std::size_t at) {
    ++line;
    line_start = at + 1;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      new_line(i);
      last = c;
      ++i;
    } else if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if ((c == '"' || c == '\'') &&
               std::string_view("\n=[,{.").find(last) != std::string_view::npos) {
      const std::size_t end = skip_string(text, i);
      for (; i < end; ++i)
        if (text[i] == '\n') new_line(i);
      last = c;
    } else if (static_cast<unsigned char>(c) > 0x7f) {
      // Columns count characters, as toml++'s do: UTF-8 continuation bytes add none.
      std::uint32_t column = 1;
      for (std::size_t k = line_start; k < i; ++k)
        column += (static_cast<unsigned char>(text[k]) & 0xc0) != 0x80;
      return text_position{i, line, column};
    } else {
      last = c;
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace teapot::config::detail
