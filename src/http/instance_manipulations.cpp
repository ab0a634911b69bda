#include "http/instance_manipulations.h"

#include "base/ascii.h"
#include "http/field_lists.h"
#include "http/qvalue.h"

namespace teapot::http {

accepted_manipulations parse_a_im(std::string_view value) noexcept {
  namespace ascii = base::ascii;
  accepted_manipulations a;
  for_each_element(value, [&](std::string_view element) {
    const std::size_t semi = element.find(';');
    const std::string_view name = ascii::trim_ows(element.substr(0, semi));
    int q = 1000;
    if (semi != std::string_view::npos) {
      std::string_view param = ascii::trim_ows(element.substr(semi + 1));
      if (param.size() < 2 || ascii::to_lower(param[0]) != 'q' || param[1] != '=' ||
          !parse_qvalue(param.substr(2), q))
        return;  // RFC 3229 defines no other parameter
    }
    if (q == 0) return;
    if (ascii::iequals(name, "diffe")) a.diffe = true;
    if (ascii::iequals(name, "gzip")) a.gzip = true;
  });
  return a;
}

}  // namespace teapot::http
