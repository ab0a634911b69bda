// Parser configurations the HTTP/1.1 fuzz targets share: small limits, so that inputs reach the
// limit paths often, and a roomy variant for text a target writes back (a space after each
// field's colon makes it longer than what was read).
#pragma once

#include "h1/request_parser.h"

namespace teapot::fuzz {

inline h1::parser_config small_limits() {
  h1::parser_config p;
  p.limits.request_line = 256;
  p.limits.field_line = 128;
  p.limits.header_section = 1024;
  p.limits.fields = 8;
  p.limits.body = 4096;
  p.limits.chunk_line = 64;
  return p;
}

inline const h1::parser_config& small_config() {
  static const h1::parser_config c = small_limits();
  return c;
}

inline const h1::parser_config& roomy_config() {
  static const h1::parser_config c = [] {
    h1::parser_config p = small_limits();
    p.limits.field_line = 1 << 16;
    p.limits.header_section = 1 << 16;
    return p;
  }();
  return c;
}

}  // namespace teapot::fuzz
