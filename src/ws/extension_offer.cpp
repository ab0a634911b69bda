#include "ws/extension_offer.h"

#include "base/ascii.h"

namespace teapot::ws {

namespace {

namespace ascii = base::ascii;

using ascii::is_token;
constexpr auto trim = ascii::trim_ows;

// Splits s at each separator outside a quoted-string; false for an unterminated quote.
bool split_outside_quotes(std::string_view s, char separator,
                          std::vector<std::string_view>& parts) {
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == separator) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return false;
  parts.push_back(s.substr(start));
  return true;
}

// RFC 9110 §5.6.4 quoted-string, unescaped; nullopt when malformed.
std::optional<std::string> unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < q.size(); ++i) {
    char c = q[i];
    if (c == '\\') {
      if (i + 2 >= q.size()) return std::nullopt;
      c = q[++i];
    } else if (c == '"') {
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

// extension-param = token [ "=" (token | quoted-string) ]
std::optional<extension_param> parse_param(std::string_view p) {
  const std::size_t eq = p.find('=');
  extension_param out;
  out.name = trim(p.substr(0, eq));
  if (!is_token(out.name)) return std::nullopt;
  if (eq == std::string_view::npos) return out;
  const std::string_view raw = trim(p.substr(eq + 1));
  if (!raw.empty() && raw.front() == '"') {
    out.value = unquote(raw);
    // §9.1: "the value after quoted-string unescaping MUST conform to the 'token' ABNF".
    if (!out.value || !is_token(*out.value)) return std::nullopt;
  } else if (is_token(raw)) {
    out.value = std::string(raw);
  } else {
    return std::nullopt;
  }
  return out;
}

// extension = extension-token *( ";" extension-param )
std::optional<extension_offer> parse_offer(std::string_view element) {
  std::vector<std::string_view> parts;
  if (!split_outside_quotes(element, ';', parts)) return std::nullopt;
  extension_offer offer;
  offer.name = trim(parts[0]);
  if (!is_token(offer.name)) return std::nullopt;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto param = parse_param(parts[i]);
    if (!param) return std::nullopt;
    offer.params.push_back(std::move(*param));
  }
  return offer;
}

}  // namespace

std::vector<extension_offer> parse_extension_offers(std::span<const std::string_view> values) {
  std::vector<extension_offer> offers;
  for (std::string_view value : values) {
    std::vector<std::string_view> elements;
    if (!split_outside_quotes(value, ',', elements)) {
      // An open quote hides where the elements end: keep those before it, which are whole.
      elements.clear();
      std::string_view head = value.substr(0, value.find('"'));
      const std::size_t last_comma = head.rfind(',');
      if (last_comma == std::string_view::npos) continue;
      split_outside_quotes(head.substr(0, last_comma), ',', elements);
    }
    for (std::string_view e : elements) {
      if (trim(e).empty()) continue;  // #rule: empty elements are allowed and ignored
      if (auto offer = parse_offer(e)) offers.push_back(std::move(*offer));
    }
  }
  return offers;
}

}  // namespace teapot::ws
