#include "http/trailer_fields.h"

#include "base/ascii.h"

namespace teapot::http {

bool may_trail(std::string_view name, std::string_view value) noexcept {
  static constexpr std::string_view refused[] = {"Content-Length",
                                                 "Transfer-Encoding",
                                                 "Connection",
                                                 "Keep-Alive",
                                                 "Proxy-Connection",
                                                 "TE",
                                                 "Trailer",
                                                 "Upgrade",
                                                 "Host",
                                                 "Authorization",
                                                 "WWW-Authenticate",
                                                 "Set-Cookie",
                                                 "Proxy-Authenticate",
                                                 "Content-Type",
                                                 "Content-Encoding",
                                                 "Content-Range",
                                                 "Cache-Control",
                                                 "Expires",
                                                 "Age",
                                                 "Vary",
                                                 "Location",
                                                 "Retry-After",
                                                 "Date"};
  if (!base::ascii::is_token(name) || !base::ascii::is_field_value(value)) return false;
  for (std::string_view r : refused)
    if (base::ascii::iequals(name, r)) return false;
  return true;
}

}  // namespace teapot::http
