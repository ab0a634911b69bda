#include "h1/rejected_head.h"

#include <algorithm>

#include "base/ascii.h"

namespace teapot::h1 {

namespace {

namespace ascii = base::ascii;
constexpr std::size_t npos = std::string_view::npos;

// HTTP-version = HTTP-name "/" DIGIT "." DIGIT (RFC 9112 §2.3).
bool has_version_shape(std::string_view v) noexcept {
  return v.size() == 8 && v.starts_with("HTTP/") && ascii::is_digit(v[5]) && v[6] == '.' &&
         ascii::is_digit(v[7]);
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 §3).
void read_request_line(std::string_view line, rejected_head& out) noexcept {
  const std::size_t first = line.find(' ');
  if (first == npos || !ascii::is_token(line.substr(0, first))) return;
  out.method = line.substr(0, first);
  const std::size_t last = line.rfind(' ');
  const std::string_view target = line.substr(first + 1, last - first - 1);
  const std::string_view version = line.substr(last + 1);
  if (last == first || target.empty() || target.find(' ') != npos || !has_version_shape(version)) {
    return;
  }
  out.target = target;
  out.protocol = version;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5), each ending in a line end; a
// line cut short by the end of the bytes is not read.
void read_field_lines(std::string_view fields, rejected_head& out) noexcept {
  bool host = false;
  bool referer = false;
  bool user_agent = false;
  for (std::size_t lf = fields.find('\n'); lf != npos; lf = fields.find('\n')) {
    std::string_view line = fields.substr(0, lf);
    fields.remove_prefix(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;  // the end of the head
    const std::size_t colon = line.find(':');
    if (colon == npos || !ascii::is_token(line.substr(0, colon))) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = ascii::trim_ows(line.substr(colon + 1));
    if (!ascii::is_field_value(value)) continue;
    const auto take = [&](bool& seen, std::string_view& slot) {
      if (!seen) slot = value;
      seen = true;
    };
    if (ascii::iequals(name, "Host"))
      take(host, out.host);
    else if (ascii::iequals(name, "Referer"))
      take(referer, out.referer);
    else if (ascii::iequals(name, "User-Agent"))
      take(user_agent, out.user_agent);
  }
}

}  // namespace

std::string_view request_line_of(std::string_view received, std::size_t line_limit) noexcept {
  received.remove_prefix(std::min(received.size(), received.find_first_not_of("\r\n")));
  return received.substr(0, std::min(line_limit, received.find_first_of("\r\n")));
}

rejected_head read_rejected_head(std::string_view received, std::size_t line_limit,
                                 std::size_t field_bytes) noexcept {
  rejected_head out;
  out.request_line = request_line_of(received, line_limit);
  read_request_line(out.request_line, out);
  // The field lines begin after the first line end that follows the request line.
  const std::size_t at = static_cast<std::size_t>(out.request_line.data() - received.data());
  const std::size_t lf = received.find('\n', at);
  if (lf != npos) read_field_lines(received.substr(lf + 1, field_bytes), out);
  return out;
}

}  // namespace teapot::h1
