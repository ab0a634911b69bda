// The built-in error pages: a status becomes a small HTML5 page in the client's language, or no
// body at all where the code forbids one. The page holds only teapot's own text (title, meaning,
// class), nothing taken from the request, so nothing in it needs escaping.
#pragma once

#include <string>
#include <string_view>

#include "http/status_descriptions.h"
#include "teapot/http/status.h"
#include "teapot/request.h"
#include "teapot/response.h"

// The module's namespace is teapot::srv: teapot::server is the public server class.
namespace teapot::srv {

inline constexpr std::string_view error_page_content_type = "text/html; charset=utf-8";

// False for the codes whose responses carry no content: 1xx, 204 and 304 (RFC 9110 §6.4.1),
// and 205, whose content a server must not generate (RFC 9110 §15.3.6).
bool has_error_page_body(http::status s) noexcept;

// The page for a registered code, built once per process on first use and shared by every
// thread; the view stays valid for the life of the program. Empty for a code without a body
// (see has_error_page_body) and for a number the registry does not hold.
std::string_view error_page_html(http::status s, http::language lang);

// Builds the page for any code 100..599, registered or not (an unregistered one gets its number
// and its class as the title). Allocates: the cached error_page_html is for the hot path.
std::string render_error_page(http::status s, http::language lang);

// The language of the page for an Accept-Language field value (RFC 9110 §12.5.4), among
// teapot's languages; English when the field is absent, malformed or names none of them.
http::language language_for(std::string_view accept_language) noexcept;
inline http::language language_for(const teapot::request& req) noexcept {
  return language_for(req.header("Accept-Language").value_or(std::string_view{}));
}

// Fills res with the page for s: sets the status; then, when the code may carry a body, sets the
// body with Content-Type text/html; charset=utf-8, Content-Language, and Vary: Accept-Language
// (the page is chosen by that field). For a code without a body, only the status is touched.
// Works on any type with set_status, set_body(body, content_type) and set_header(name, value).
template <class Response>
void fill_error_page(http::status s, http::language lang, Response& res) {
  res.set_status(s);
  if (!has_error_page_body(s)) return;
  if (const std::string_view page = error_page_html(s, lang); !page.empty())
    res.set_body(page, error_page_content_type);
  else
    res.set_body(render_error_page(s, lang), error_page_content_type);
  res.set_header("Content-Language", http::language_tag(lang));
  res.set_header("Vary", "Accept-Language");
}

inline void write_error_page(http::status s, http::language lang, teapot::response& res) {
  fill_error_page(s, lang, res);
}

}  // namespace teapot::srv
