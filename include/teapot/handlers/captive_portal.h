// A captive portal (RFC 6585 §6): every request gets 511 Network Authentication Required with
// a small HTML page that links to the login page, except the login page itself when this site
// serves it. A policy step (teapot/policy.h) for a site's pipeline.
#pragma once

#include <memory>
#include <string>

#include "teapot/policy.h"

namespace teapot::handlers {

struct captive_portal_options {
  // Where the user logs in: a path on this site ("/login"), or an absolute http or https URL.
  // A request for that path is let through: with a path, on any Host; with a URL, when the
  // request's Host names the URL's host (ports are not compared). The query and fragment of
  // the login URL play no part in the match.
  std::string login_url{};
};

// The 511 carries Cache-Control: no-store, since RFC 6585 §6 forbids caching it (a cached
// 511 would keep a user captive after logging in), and Content-Type text/html; charset=utf-8.
// Throws std::invalid_argument for a login_url that is neither a path nor an http(s) URL, or
// holds a control character or a space.
std::shared_ptr<policy> make_captive_portal(const captive_portal_options& options);

}  // namespace teapot::handlers
