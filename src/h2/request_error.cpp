#include "h2/request_error.h"

namespace teapot::h2 {

// The one place a request_error becomes a status; -Wswitch-enum makes a missing case an error.
http::status to_status(request_error e) noexcept {
  using enum request_error;
  switch (e) {
    case path_too_long:
      return http::status::uri_too_long;
    case header_list_too_large:
    case too_many_fields:
      return http::status::request_header_fields_too_large;
  }
  return http::status::request_header_fields_too_large;  // unreachable for a valid enumerator
}

std::string_view name_of(request_error e) noexcept {
  using enum request_error;
  switch (e) {
    case path_too_long:
      return "path_too_long";
    case header_list_too_large:
      return "header_list_too_large";
    case too_many_fields:
      return "too_many_fields";
  }
  return "unknown";
}

}  // namespace teapot::h2
