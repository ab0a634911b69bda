// The built-in error pages: a status becomes a small HTML5 page in the client's language, an
// RFC 9457 problem details object when the client prefers JSON, or no body at all where the
// code forbids one. The page holds only teapot's own text (title, meaning, class), nothing taken
// from the request, so nothing in the HTML needs escaping (the JSON is escaped all the same).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/status_descriptions.h"
#include "teapot/http/status.h"
#include "teapot/request.h"
#include "teapot/response.h"
#include "teapot/site.h"

// The module's namespace is teapot::srv: teapot::server is the public server class.
namespace teapot::srv {

inline constexpr std::string_view error_page_content_type = "text/html; charset=utf-8";
// RFC 9457 §6.1. JSON is UTF-8 by definition (RFC 8259 §8.1) and its registration defines no
// charset parameter; RFC 8259 §11 says adding one has no effect on compliant recipients, so it
// is added to keep the promise that every error page names its charset.
inline constexpr std::string_view problem_json_content_type =
    "application/problem+json; charset=utf-8";

// The languages of the error pages: teapot's own (http::language, same order and values) plus
// "fr-x-uwu", the French texts run through uwu_filter. Kept apart from http::language so that
// the status texts and `teapot explain` (en|fr) do not gain a language without a text column.
enum class page_language : unsigned char { en, fr, fr_x_uwu };

constexpr page_language to_page_language(http::language lang) noexcept {
  return static_cast<page_language>(lang);
}
// The language whose texts the page starts from (French for fr-x-uwu).
constexpr http::language text_language(page_language lang) noexcept {
  return lang == page_language::en ? http::language::en : http::language::fr;
}
// The BCP 47 tag, as sent in Content-Language and in <html lang>.
std::string_view page_language_tag(page_language lang) noexcept;
// Every page language's tag, in enum order; the first is the default.
std::span<const std::string_view> page_language_tags() noexcept;

// What the body is: the HTML page, or problem details (RFC 9457) as JSON.
enum class error_format : unsigned char { html, problem_json };

// False for the codes whose responses carry no content: 1xx, 204 and 304 (RFC 9110 §6.4.1),
// and 205, whose content a server must not generate (RFC 9110 §15.3.6).
bool has_error_page_body(http::status s) noexcept;

// The page for a registered code, built once per process on first use and shared by every
// thread; the view stays valid for the life of the program. Empty for a code without a body
// (see has_error_page_body) and for a number the registry does not hold.
std::string_view error_page_html(http::status s, http::language lang);
std::string_view error_page_html(http::status s, page_language lang);

// Builds the page for any code 100..599, registered or not (an unregistered one gets its number
// and its class as the title). Allocates: the cached error_page_html is for the hot path.
std::string render_error_page(http::status s, http::language lang);
std::string render_error_page(http::status s, page_language lang);

// The problem details object of RFC 9457 for s: {"type":"about:blank","title":...,"status":...,
// "detail":...}. "about:blank" says the problem is no more than the status code (§4.2.1), so
// the title is its reason phrase; the detail is the code's meaning in lang. A member whose text
// is unknown (an unregistered code) is left out, as §3.1 allows.
std::string render_problem_json(http::status s, page_language lang);

// Appends text to out as the characters of a JSON string (RFC 8259 §7), without the quotes.
// Bytes of 0x80 and above are copied as they are: the text is UTF-8 and JSON is too.
void append_json_string_chars(std::string& out, std::string_view text);

// The "uwu" filter of fr-x-uwu, on ASCII letters only so that UTF-8 sequences ("é") pass
// through untouched: lower case, r and l become w, n before a vowel becomes "ny", and every
// fourth word that starts with an ASCII letter is stuttered ("p-pas").
std::string uwu_filter(std::string_view text);

// The language of the page for an Accept-Language field value (RFC 9110 §12.5.4), among
// teapot's languages; English when the field is absent, malformed or names none of them.
http::language language_for(std::string_view accept_language) noexcept;
inline http::language language_for(const teapot::request& req) noexcept {
  return language_for(req.header("Accept-Language").value_or(std::string_view{}));
}
// The same among the page languages: fr-x-uwu is a private-use tag, so only a client naming it
// gets it, never one asking for "fr" or "*" (RFC 4647 §3.3.1 as choose_language applies it).
page_language page_language_for(std::string_view accept_language) noexcept;
inline page_language page_language_for(const teapot::request& req) noexcept {
  return page_language_for(req.header("Accept-Language").value_or(std::string_view{}));
}

// JSON when the Accept field (RFC 9110 §12.5.1) weighs application/problem+json or
// application/json above text/html; HTML otherwise, so an absent, malformed or "*/*" field, and
// a tie, keep the page a browser shows.
error_format error_format_for(std::optional<std::string_view> accept);
inline error_format error_format_for(const teapot::request& req) {
  return error_format_for(req.header("Accept"));
}

namespace detail {
// Cache-Control: no-store on a 4xx or 5xx page, so that a transient error is not replayed from
// a cache (RFC 9111 §5.2.2.5; 404, 405, 410, 414 and 501 are heuristically cacheable, RFC 9110
// §15.1). A Cache-Control the handler or the configuration set is kept; a site may choose
// another value, or none (empty).
template <class Response>
void set_error_cache_control(http::status s, std::string_view value, Response& res) {
  const auto cls = http::class_of(s);
  if (cls != http::status_class::client_error && cls != http::status_class::server_error) return;
  if (!value.empty() && !res.header("Cache-Control")) res.set_header("Cache-Control", value);
}
template <class Response>
void set_error_cache_control(http::status s, Response& res) {
  set_error_cache_control(s, "no-store", res);
}

// The built-in body alone: the page in lang, or problem details.
template <class Response>
void set_builtin_body(http::status s, page_language lang, error_format format, Response& res) {
  if (format == error_format::problem_json) {
    res.set_body(render_problem_json(s, lang), problem_json_content_type);
  } else if (const std::string_view page = error_page_html(s, lang); !page.empty()) {
    res.set_body(page, error_page_content_type);
  } else {
    res.set_body(render_error_page(s, lang), error_page_content_type);
  }
}
}  // namespace detail

// Fills res with the error body for s in lang and format: sets the status; then, when the code
// may carry a body, sets the body with its Content-Type (charset=utf-8), Content-Language, Vary:
// Accept, Accept-Language (both fields chose it, RFC 9110 §12.5.5), and Cache-Control: no-store
// for 4xx/5xx unless one is present. For a code without a body, only the status is touched.
// Works on any type with set_status, set_body(body, content_type), set_header(name, value) and
// header(name) (something that converts to bool: whether the field is present).
template <class Response>
void fill_error_page(http::status s, page_language lang, error_format format, Response& res) {
  res.set_status(s);
  if (!has_error_page_body(s)) return;
  detail::set_builtin_body(s, lang, format, res);
  res.set_header("Content-Language", page_language_tag(lang));
  res.set_header("Vary", "Accept, Accept-Language");
  detail::set_error_cache_control(s, res);
}

// The HTML page in lang, for a caller that chose only the language: as above, but Vary names
// Accept-Language alone, since Accept played no part.
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
  detail::set_error_cache_control(s, res);
}

// Chooses the language from Accept-Language and the format from Accept.
template <class Response>
void fill_error_page(http::status s, const teapot::request& req, Response& res) {
  fill_error_page(s, page_language_for(req), error_format_for(req), res);
}

// As the site's error_page_options say: its own page for s when it has one (the file's bytes
// and type, no Content-Language: a file has no language we know), else the built-in page;
// problem details only when the site allows them; the site's Cache-Control. Vary names what
// chose among the variants this site can send: Accept when problem details are possible (for
// them also Accept-Language), Accept-Language for the built-in pages, nothing for a file that
// every client gets. Without a site (an error decided before one is known), the built-in
// behaviour.
template <class Response>
void fill_error_page(http::status s, const teapot::request& req, const teapot::site* site,
                     Response& res) {
  if (site == nullptr) return fill_error_page(s, req, res);
  const teapot::error_page_options& options = site->error_pages();
  res.set_status(s);
  if (!has_error_page_body(s)) return;
  const error_format format = options.problem_json ? error_format_for(req) : error_format::html;
  const teapot::custom_error_page* own = site->custom_page_for(s);
  if (own != nullptr && format == error_format::html) {
    res.set_body(own->body, own->content_type);
    if (options.problem_json) res.set_header("Vary", "Accept, Accept-Language");
  } else {
    const page_language lang = page_language_for(req);
    detail::set_builtin_body(s, lang, format, res);
    res.set_header("Content-Language", page_language_tag(lang));
    res.set_header("Vary", options.problem_json ? "Accept, Accept-Language" : "Accept-Language");
  }
  detail::set_error_cache_control(s, options.cache_control, res);
}

inline void write_error_page(http::status s, http::language lang, teapot::response& res) {
  fill_error_page(s, lang, res);
}
inline void write_error_page(http::status s, const teapot::request& req, teapot::response& res) {
  fill_error_page(s, req, res);
}
inline void write_error_page(http::status s, const teapot::request& req, const teapot::site* site,
                             teapot::response& res) {
  fill_error_page(s, req, site, res);
}

}  // namespace teapot::srv
