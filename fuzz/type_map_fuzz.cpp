// Type maps (Apache's .var files). Checks what the static handler relies on: every variant
// kept has a URI that stays below the map's directory, a media type with a '/', no qs left in
// it, and a source quality from 0 to 1000; nothing is kept past the size bound.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "fuzz_support.h"
#include "http/type_map.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using teapot::fuzz::check;
  const std::string_view text = teapot::fuzz::as_text(data, size);
  const teapot::http::type_map m = teapot::http::parse_type_map(text);
  for (const auto& v : m.variants) {
    check(teapot::http::is_type_map_uri(v.uri));
    check(v.media_type.find('/') != std::string::npos);
    check(v.source_quality >= 0 && v.source_quality <= 1000);
    for (std::size_t i = 0; i + 3 <= v.media_type.size(); ++i)
      check(!(v.media_type[i] == ';' && v.media_type.substr(i + 1).starts_with(" qs=")));
    for (char c : v.encoding)
      check(c == teapot::base::ascii::to_lower(c));
  }
  check(m.variants.size() <= teapot::http::max_type_map_size / 2);
  return 0;
}
