#include "config/table_headers.h"

#include <cstddef>

namespace teapot::config::detail {

namespace {

bool is_key_start(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '"' || c == '\'' || c == ']';
}

// The offset just past the string that starts at `at` (a quote): basic strings honour
// backslash escapes, literal ones do not; a one-line string also ends at a line end, where
// toml++ reports it. A multi-line delimiter may be followed by up to two more quotes, which
// belong to the content (TOML 1.0 §String).
std::size_t skip_string(std::string_view text, std::size_t at) noexcept {
  const char quote = text[at];
  const bool basic = quote == '"';
  const std::string_view triple = basic ? "\"\"\"" : "'''";
  if (text.substr(at, 3) == triple) {
    std::size_t i = at + 3;
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
  std::size_t i = at + 1;
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

std::optional<keyless_header> find_keyless_table_header(std::string_view text) noexcept {
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // toml++ skips a UTF-8 BOM
  std::size_t line_start = 0;
  std::uint32_t line = 1;
  std::size_t depth = 0;  // of the arrays and inline tables of a value
  bool statement_start = true;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      if (depth == 0) statement_start = true;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '"' || c == '\'') {
      // A multi-line string may hold line ends: count them.
      const std::size_t end = skip_string(text, i);
      for (std::size_t k = i; k < end && k < text.size(); ++k) {
        if (text[k] == '\n') {
          ++line;
          line_start = k + 1;
        }
      }
      i = end;
      statement_start = false;
    } else if (c == '[' && statement_start && depth == 0) {
      std::size_t k = i + 1;
      if (k < text.size() && text[k] == '[') ++k;
      while (k < text.size() && (text[k] == ' ' || text[k] == '\t'))
        ++k;
      if (k < text.size() && !is_key_start(text[k]))
        return keyless_header{i, line, static_cast<std::uint32_t>(k - line_start + 1)};
      i = k;
      statement_start = false;
    } else {
      if (c == '[' || c == '{') ++depth;
      if ((c == ']' || c == '}') && depth > 0) --depth;
      statement_start = false;
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace teapot::config::detail
