#include "http/qvalue.h"

#include <cstddef>

#include "base/ascii.h"

namespace teapot::http {

bool parse_qvalue(std::string_view text, int& out) noexcept {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return false;
  if (text.size() > 1 && (text[1] != '.' || text.size() > 5)) return false;
  int value = (text[0] - '0') * 1000;
  int scale = 100;
  for (std::size_t i = 2; i < text.size(); ++i, scale /= 10) {
    if (!base::ascii::is_digit(text[i])) return false;
    value += (text[i] - '0') * scale;
  }
  if (value > 1000) return false;
  out = value;
  return true;
}

}  // namespace teapot::http
