#include "http/transport_security.h"

namespace teapot::http {

namespace {

// RFC 9112 §3.2.2: in absolute-form, what follows the authority; RFC 9110 §4.2.3 makes an
// empty path "/" in an http(s) URI.
std::string_view path_and_query(std::string_view target) {
  if (target.empty() || target.front() == '/') return target;
  const std::size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return target;
  const std::string_view rest = target.substr(scheme + 3);
  const std::size_t end = rest.find_first_of("/?");
  return end == std::string_view::npos ? std::string_view() : rest.substr(end);
}

std::string_view host_of(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.rfind(':'));
}

}  // namespace

std::string https_location(std::string_view authority, std::uint16_t port,
                           std::string_view target) {
  const std::string_view rest = path_and_query(target);
  std::string out = "https://";
  out.append(host_of(authority));
  if (port != 443) out.append(":").append(std::to_string(port));
  if (rest.empty() || rest.front() != '/') out.push_back('/');
  out.append(rest);
  return out;
}

std::string format_strict_transport_security(std::chrono::seconds max_age, bool include_subdomains,
                                             bool preload) {
  std::string out = "max-age=" + std::to_string(max_age.count());
  if (include_subdomains) out.append("; includeSubDomains");
  if (preload) out.append("; preload");
  return out;
}

}  // namespace teapot::http
