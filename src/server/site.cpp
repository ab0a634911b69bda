#include "teapot/site.h"

#include "base/ascii.h"

namespace teapot {

namespace {

using base::ascii::iequals;

}  // namespace

std::string_view host_without_port(std::string_view authority) noexcept {
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  std::size_t colon = authority.rfind(':');
  return colon == std::string_view::npos ? authority : authority.substr(0, colon);
}

site::site(std::vector<std::string> hosts) : hosts_(std::move(hosts)) {}

site& site::add_policy(std::shared_ptr<policy> step) {
  policies_.push_back(std::move(step));
  return *this;
}

bool site::answers_for(std::string_view host) const noexcept {
  host = host_without_port(host);
  // A fully qualified name may end in a dot (RFC 1034 §3.1): "example.com." is example.com.
  if (host.ends_with('.')) host.remove_suffix(1);
  for (const std::string& name : hosts_) {
    if (name.starts_with("*.")) {
      std::string_view suffix = std::string_view(name).substr(1);  // ".example.com"
      if (host.size() > suffix.size() && iequals(host.substr(host.size() - suffix.size()), suffix))
        return true;
    } else if (iequals(host, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace teapot
