#include "http/field_lists.h"

namespace teapot::http {

bool list_has_token(std::string_view list, std::string_view token) noexcept {
  bool found = false;
  for_each_element(list, [&](std::string_view element) {
    found = found || base::ascii::iequals(element, token);
  });
  return found;
}

// RFC 9110 §10.1.1: 100-continue is the only expectation defined; a server that receives any
// other may answer 417.
void note_expectations(std::string_view value, expectations& e) noexcept {
  for_each_element(value, [&e](std::string_view expectation) {
    if (expectation.empty()) return;
    if (base::ascii::iequals(expectation, "100-continue"))
      e.continue_100 = true;
    else
      e.other = true;
  });
}

}  // namespace teapot::http
