#include "http/transcoding_rule.h"

#include "base/ascii.h"
#include "http/field_lists.h"
#include "http/media_type.h"

namespace teapot::http {

namespace ascii = base::ascii;

std::optional<legacy_charset> charset_to_transcode(const transcoding_facts& facts) {
  if (facts.status != 200 || facts.no_transform || facts.content_coded) return std::nullopt;
  const std::optional<media_type> type = parse_media_type(facts.content_type);
  if (!type || !ascii::iequals(type->type, "text") || !type->charset) return std::nullopt;
  return legacy_charset_for_label(type->charset->label);
}

bool has_no_transform(std::string_view cache_control) noexcept {
  bool quoted = false;
  std::size_t element = 0;  // where the current directive starts
  for (std::size_t i = 0; i <= cache_control.size(); ++i) {
    if (i < cache_control.size()) {
      const char c = cache_control[i];
      if (quoted && c == '\\') {
        ++i;  // quoted-pair
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (quoted || c != ',') continue;
    }
    std::string_view directive = cache_control.substr(element, i - element);
    directive = ascii::trim_ows(directive.substr(0, directive.find('=')));
    if (ascii::iequals(directive, "no-transform")) return true;
    element = i + 1;
  }
  return false;
}

bool is_content_coded(std::string_view content_encoding) noexcept {
  bool coded = false;
  for_each_element(content_encoding, [&](std::string_view coding) {
    if (!coding.empty() && !ascii::iequals(coding, "identity")) coded = true;
  });
  return coded;
}

}  // namespace teapot::http
