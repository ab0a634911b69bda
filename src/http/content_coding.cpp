#include "http/content_coding.h"

#include <vector>

#include "base/ascii.h"
#include "http/negotiation.h"
#include "http/validators.h"

namespace teapot::http {

namespace ascii = teapot::base::ascii;

namespace {

// Identity's weight as the field states it (listed, or through "*"); 0 when it does not, so
// that any listed coding above 0 wins: "gzip;q=0.5" alone asks for gzip, and ranks it against
// nothing. An unlisted identity stays acceptable (§12.5.3), the fallback when nothing is chosen.
int identity_weight(std::string_view accept_encoding) {
  thread_local std::vector<weighted_value> list;
  if (!parse_weighted_list(accept_encoding, list)) return 1000;  // malformed: as if absent
  for (const weighted_value& v : list)
    if (ascii::iequals(v.value, "identity") || v.value == "*")
      return coding_quality(accept_encoding, "identity");
  return 0;
}

}  // namespace

std::optional<std::size_t> choose_content_coding(std::optional<std::string_view> accept_encoding,
                                                 std::span<const std::string_view> offered) {
  if (!accept_encoding) return std::nullopt;
  const int identity = identity_weight(*accept_encoding);
  std::optional<std::size_t> best;
  int best_q = 0;
  for (std::size_t i = 0; i < offered.size(); ++i) {
    const int q = coding_quality(accept_encoding, offered[i]);
    if (q > best_q) {
      best_q = q;
      best = i;
    }
  }
  if (best_q < identity) return std::nullopt;
  return best;
}

bool is_compressible_type(std::string_view content_type, std::span<const std::string> patterns) {
  const std::string_view type = ascii::trim_ows(content_type.substr(0, content_type.find(';')));
  const std::size_t slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) return false;
  const std::string_view subtype = type.substr(slash + 1);
  for (const std::string& p : patterns) {
    const std::string_view pattern = p;
    if (pattern.starts_with('+')) {
      if (subtype.size() > pattern.size() &&
          ascii::iequals(subtype.substr(subtype.size() - pattern.size()), pattern))
        return true;
    } else if (pattern.ends_with("/*")) {
      if (ascii::iequals(type.substr(0, slash + 1), pattern.substr(0, pattern.size() - 1)))
        return true;
    } else if (ascii::iequals(type, pattern)) {
      return true;
    }
  }
  return false;
}

}  // namespace teapot::http
