#include "teapot/handlers/captive_portal.h"

#include "handlers/common/html.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "base/ascii.h"
#include "teapot/site.h"

namespace teapot::handlers::captive_portal {

namespace {

struct login_target {
  std::string host;  // lower case, without port; empty when the login URL is a path
  std::string path;  // without query or fragment
};

std::string_view until_query(std::string_view s) noexcept {
  return s.substr(0, std::min(s.find_first_of("?#"), s.size()));
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && base::ascii::iequals(s.substr(0, prefix.size()), prefix);
}

login_target parse_login_url(std::string_view url) {
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw std::invalid_argument("the captive portal's login URL holds a space or control");
  if (url.starts_with('/') && !url.starts_with("//")) return {{}, std::string(until_query(url))};
  std::string_view rest;
  if (starts_with_nocase(url, "http://"))
    rest = url.substr(7);
  else if (starts_with_nocase(url, "https://"))
    rest = url.substr(8);
  else
    throw std::invalid_argument("the captive portal's login URL is neither a path nor http(s)");
  const std::size_t path_at = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, path_at);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);  // RFC 3986 §3.2.1: userinfo is not part of the host
  std::string host(teapot::host_without_port(authority));
  if (host.empty()) throw std::invalid_argument("the captive portal's login URL has no host");
  for (char& c : host)
    c = base::ascii::to_lower(c);
  const std::string_view path = until_query(rest.substr(path_at));
  return {std::move(host), std::string(path.empty() ? "/" : path)};
}

std::string escape_html(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

// RFC 6585 §6: the page tells the user where to log in; the refresh takes a browser there.
std::string portal_page(std::string_view login_url) {
  const std::string url = escape_html(login_url);
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"refresh\" content=\"0; url=" +
         url +
         "\">\n<title>511 Network Authentication Required</title>\n</head>\n<body>\n"
         "<h1>Network Authentication Required</h1>\n"
         "<p>This network lets you through once you have signed in. <a href=\"" +
         url + "\">Sign in here</a>, then try again.</p>\n</body>\n</html>\n";
}

class captive_portal_policy final : public policy {
 public:
  std::string_view name() const noexcept override { return "captive_portal"; }
  explicit captive_portal_policy(const std::string& login_url)
      : login_(parse_login_url(login_url)), page_(portal_page(login_url)) {}

  verdict on_request(const request& req, response& res) override {
    if (is_login_page(req)) return verdict::next;
    res.set_status(http::status::network_authentication_required);
    res.set_body(page_, "text/html; charset=utf-8");
    // RFC 6585 §6: a 511 must not be cached, or the portal would outlive the login.
    res.set_header("Cache-Control", "no-store");
    return verdict::answered;
  }

 private:
  bool is_login_page(const request& req) const {
    if (req.path != login_.path) return false;
    if (login_.host.empty()) return true;
    const auto host = req.header("Host");
    if (!host) return false;
    std::string_view name = teapot::host_without_port(*host);
    if (name.ends_with('.')) name.remove_suffix(1);  // a fully qualified name (RFC 1034 §3.1)
    return base::ascii::iequals(name, login_.host);
  }

  login_target login_;
  std::string page_;
};

}  // namespace

}  // namespace teapot::handlers::captive_portal

namespace teapot::handlers {

std::shared_ptr<policy> make_captive_portal(const captive_portal_options& options) {
  return std::make_shared<captive_portal::captive_portal_policy>(options.login_url);
}

}  // namespace teapot::handlers
