#include "h1/serializer.h"

namespace teapot::h1 {

body_kind choose_body_kind(http::status s, bool length_known, int version_minor) noexcept {
  if (!http::may_have_content(s)) return body_kind::none;
  if (length_known) return body_kind::length;
  return version_minor >= 1 ? body_kind::chunked : body_kind::close_delimited;
}

}  // namespace teapot::h1
