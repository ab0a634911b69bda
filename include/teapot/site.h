// A site: the host names it answers for, its pipeline of policies and its routes.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/compression.h"
#include "teapot/delta_encoding.h"
#include "teapot/forward_proxy.h"
#include "teapot/http/status.h"
#include "teapot/policy.h"
#include "teapot/router.h"

namespace teapot {

namespace srv {
struct site_access;
namespace delta {
class version_store;
}  // namespace delta
}  // namespace srv

// How a site's error responses look: every 4xx and 5xx the site answers without a body of its
// own (router 404/405, policies, handlers, preconditions). Errors decided before a site is
// known (a malformed request, 421 with strict hosts) keep the built-in pages.
struct error_page_options {
  // Status (a 4xx or 5xx code) -> a file whose bytes are sent in place of the built-in page,
  // with the Content-Type of its extension ("charset=utf-8" for text) and no Content-Language.
  std::map<int, std::filesystem::path> files{};
  // RFC 9457 problem details for a client that prefers JSON; off: pages only.
  bool problem_json = true;
  // The Cache-Control of error pages unless the handler set one; empty: none is sent.
  std::string cache_control = "no-store";
};

// How a site holds its clients to HTTPS, on a server with TLS listeners (tls_listen).
struct https_options {
  // A request for the site over plain HTTP gets 308 Permanent Redirect to the same target on
  // https, at the server's first TLS port (RFC 9110 §15.4.9: the method and content are kept),
  // before the site's steps; except below /.well-known/acme-challenge/, which an ACME client
  // must reach over plain HTTP on any port, and OPTIONS *, which names no resource.
  bool redirect_http = false;
  // Strict-Transport-Security on every response of the site over TLS, errors included, and
  // never over plain HTTP (RFC 6797 §7.2). None: no field. Zero is sent: max-age=0 makes
  // browsers forget the site (§6.1.1), the way to take HSTS back.
  std::optional<std::chrono::seconds> hsts_max_age{};
  bool hsts_include_subdomains = false;  // RFC 6797 §6.1.2
  bool hsts_preload = false;             // the browsers' preload list's token
};

// A page of error_page_options::files as it was read.
struct custom_error_page {
  std::string body{};
  std::string content_type{};
};

class site {
 public:
  // Host names are matched case-insensitively, without the port: "example.com", "[::1]", and
  // "*.example.com" for any name ending in ".example.com".
  explicit site(std::vector<std::string> hosts = {});

  router& routes() noexcept { return routes_; }
  const router& routes() const noexcept { return routes_; }
  // Appends a step to the pipeline; steps run in the order added.
  site& add_policy(std::shared_ptr<policy> step);
  const std::vector<std::shared_ptr<policy>>& policies() const noexcept { return policies_; }
  const std::vector<std::string>& hosts() const noexcept { return hosts_; }

  // True when host (a Host field value or an authority, port included or not) names this site.
  bool answers_for(std::string_view host) const noexcept;

  // Replaces the error-page options, before the server starts. The files are read here, once,
  // not per request: throws std::invalid_argument for a key that is not a 4xx or 5xx code and
  // std::system_error for a file that cannot be read (the site is then left unchanged).
  site& set_error_pages(error_page_options options);
  const error_page_options& error_pages() const noexcept { return error_pages_; }
  // The page read for s, or null when s keeps the built-in one.
  const custom_error_page* custom_page_for(http::status s) const noexcept;

  // On-the-fly compression of this site's responses (see compression.h), before the server
  // starts. Per site rather than per server, as a site's content decides whether it pays.
  // Throws std::invalid_argument for an unknown or repeated coding or a level out of range.
  site& set_compression(compression_options options);
  const compression_options& compression() const noexcept { return compression_; }

  // Delta encoding of this site's responses (see delta_encoding.h), before the server starts.
  // The versions kept so far are dropped. Throws std::invalid_argument for a prefix without
  // its leading '/', fewer than 2 versions, or sizes that cannot hold one file.
  site& set_delta_encoding(delta_encoding_options options);
  const delta_encoding_options& delta_encoding() const noexcept { return delta_; }

  // The site's HTTPS choices (see https_options), before the server starts.
  site& set_https(https_options options);
  const https_options& https() const noexcept { return https_; }
  // The Strict-Transport-Security value of https().hsts_max_age, formatted once; empty: none.
  const std::string& strict_transport_security() const noexcept { return hsts_value_; }

  // Makes the site a forward proxy (see forward_proxy.h), before the server starts: CONNECT
  // and absolute-form requests for authorities it does not claim go where they name. Throws
  // std::invalid_argument for a port 0 in connect_ports or http_ports or a timeout not above
  // zero.
  site& set_forward_proxy(forward_proxy_options options);
  // The forward proxy's options; null when the site is none (the default).
  const forward_proxy_options* forward_proxy() const noexcept { return forward_.get(); }

 private:
  friend struct srv::site_access;
  std::vector<std::string> hosts_;
  std::vector<std::shared_ptr<policy>> policies_;
  router routes_;
  error_page_options error_pages_;
  std::map<int, custom_error_page> custom_pages_;
  compression_options compression_;
  delta_encoding_options delta_;
  std::shared_ptr<srv::delta::version_store> delta_store_;  // null: delta encoding is off
  https_options https_;
  std::string hsts_value_;
  std::shared_ptr<const forward_proxy_options> forward_;
  handler forward_handler_;  // what the pipeline runs for a proxied request
};

// The host of a Host field value or authority: lower case is the caller's business; the port
// and the brackets' content are kept apart ("[::1]:8080" -> "[::1]", "a.b:80" -> "a.b").
std::string_view host_without_port(std::string_view authority) noexcept;

}  // namespace teapot
