#include "http/media_type.h"

#include "base/ascii.h"

namespace teapot::http {

namespace ascii = base::ascii;

namespace {

std::size_t skip_ows(std::string_view s, std::size_t i) {
  while (i < s.size() && ascii::is_ows(s[i]))
    ++i;
  return i;
}

std::size_t token_end(std::string_view s, std::size_t i) {
  while (i < s.size() && ascii::is_tchar(s[i]))
    ++i;
  return i;
}

// RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE. The index past
// the closing quote, or npos when the string does not close or holds a byte it may not.
std::size_t quoted_string_end(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '"') return i + 1;
    if (s[i] == '\\') {
      if (++i == s.size() || (!ascii::is_field_vchar(s[i]) && !ascii::is_ows(s[i])))
        return std::string_view::npos;
    } else if (!ascii::is_qdtext(s[i])) {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

}  // namespace

// RFC 9110 §8.3.1: media-type = type "/" subtype parameters; §5.6.6: parameters =
// *( OWS ";" OWS [ parameter ] ), parameter = parameter-name "=" parameter-value,
// parameter-value = ( token / quoted-string ).
std::optional<media_type> parse_media_type(std::string_view value) {
  media_type out;
  std::size_t i = skip_ows(value, 0);
  std::size_t end = token_end(value, i);
  if (end == i || end == value.size() || value[end] != '/') return std::nullopt;
  out.type = value.substr(i, end - i);
  i = end + 1;
  end = token_end(value, i);
  if (end == i) return std::nullopt;
  out.subtype = value.substr(i, end - i);
  i = skip_ows(value, end);
  while (i < value.size()) {
    if (value[i] != ';') return std::nullopt;
    i = skip_ows(value, i + 1);
    if (i == value.size() || value[i] == ';') continue;  // an empty parameter
    end = token_end(value, i);
    if (end == i || end == value.size() || value[end] != '=') return std::nullopt;
    const std::string_view name = value.substr(i, end - i);
    const std::size_t at = end + 1;
    if (at == value.size()) return std::nullopt;
    end = value[at] == '"' ? quoted_string_end(value, at) : token_end(value, at);
    if (end == std::string_view::npos || end == at) return std::nullopt;
    if (ascii::iequals(name, "charset")) {
      if (out.charset) return std::nullopt;
      const bool quoted = value[at] == '"';
      out.charset = charset_parameter{
          .at = at,
          .length = end - at,
          .label = quoted ? value.substr(at + 1, end - at - 2) : value.substr(at, end - at)};
    }
    i = skip_ows(value, end);
  }
  return out;
}

std::string with_charset(std::string_view value, const charset_parameter& where,
                         std::string_view charset) {
  std::string out;
  out.reserve(value.size() - where.length + charset.size());
  out.append(value.substr(0, where.at))
      .append(charset)
      .append(value.substr(where.at + where.length));
  return out;
}

}  // namespace teapot::http
