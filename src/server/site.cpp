#include "teapot/site.h"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "base/ascii.h"
#include "http/mime_types.h"
#include "http/transport_security.h"
#include "server/forward_proxy.h"

namespace teapot {

namespace {

using base::ascii::iequals;

custom_error_page read_error_page(const std::filesystem::path& file) {
  const auto fail = [&file](int error) {
    throw std::system_error(error, std::generic_category(),
                            "teapot: cannot read the error page " + file.string());
  };
  // A directory opens as a stream on Linux and fails only when read: rule it out first.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(ec ? ec.value() : EISDIR);
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(errno ? errno : EACCES);
  custom_error_page page;
  page.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) fail(EIO);
  page.content_type = http::content_type_for_path(file.native());
  return page;
}

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

site& site::set_error_pages(error_page_options options) {
  std::map<int, custom_error_page> pages;
  for (const auto& [code, file] : options.files) {
    if (code < 400 || code > 599)
      throw std::invalid_argument("teapot: an error page for " + std::to_string(code) +
                                  ", which is not a 4xx or 5xx code");
    pages.emplace(code, read_error_page(file));
  }
  error_pages_ = std::move(options);
  custom_pages_ = std::move(pages);
  return *this;
}

const custom_error_page* site::custom_page_for(http::status s) const noexcept {
  const auto it = custom_pages_.find(http::to_int(s));
  return it == custom_pages_.end() ? nullptr : &it->second;
}

site& site::set_https(https_options options) {
  https_ = options;
  hsts_value_ = options.hsts_max_age ? http::format_strict_transport_security(
                                           *options.hsts_max_age, options.hsts_include_subdomains,
                                           options.hsts_preload)
                                     : std::string();
  return *this;
}

site& site::set_forward_proxy(forward_proxy_options options) {
  for (std::uint16_t port : options.connect_ports)
    if (port == 0) throw std::invalid_argument("teapot: a forward proxy's connect_ports hold 0");
  for (std::uint16_t port : options.http_ports)
    if (port == 0) throw std::invalid_argument("teapot: a forward proxy's http_ports hold 0");
  if (options.connect_timeout.count() <= 0 || options.response_timeout.count() <= 0 ||
      options.tunnel_idle_timeout.count() <= 0)
    throw std::invalid_argument("teapot: a forward proxy's timeouts must be above zero");
  forward_ = std::make_shared<const forward_proxy_options>(std::move(options));
  forward_handler_ = srv::make_forward_proxy(forward_);
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
