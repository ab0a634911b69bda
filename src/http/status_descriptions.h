// What each status code means, told to people: a title and a sentence or two per code, in the
// languages teapot speaks, and the header fields a response with the code has to carry. Used
// by `teapot explain` and by the error pages. Everything is static text: no allocation.
#pragma once

#include <span>
#include <string_view>

#include "teapot/http/status.h"

namespace teapot::http {

// The languages of teapot's own texts. English is the default; a new language adds an
// enumerator here, its tag in language_tag() and a column of texts in the table.
enum class language : unsigned char { en, fr };

// The BCP 47 tag of a language ("en", "fr"), as sent in Content-Language.
std::string_view language_tag(language lang) noexcept;
// The tags of every language, in enum order; the first is the default. Meant as the
// `supported` argument of choose_language (accept_language.h).
std::span<const std::string_view> supported_language_tags() noexcept;
// The language whose tag is `tag` (case-insensitive), or English for any other tag.
language language_from_tag(std::string_view tag) noexcept;

// A short title: the reason phrase in English ("I'm a teapot" for 418), a real French title in
// French ("Introuvable" for 404). Empty for a number the registry does not hold.
std::string_view title(status s, language lang) noexcept;
// One or two sentences: what happened and what the client can do about it. Plain text with no
// markup characters, so it can be placed in HTML as it is. Empty for an unregistered number.
std::string_view meaning(status s, language lang) noexcept;
// The class as a heading, e.g. "4xx client error" / "4xx erreur du client". Empty when the
// number is outside 100..599.
std::string_view class_title(status s, language lang) noexcept;
// The header fields every response with this status carries (RFC 9110 and the code's own RFC,
// plus teapot's promises such as Retry-After on 429 and 503): "Allow" for 405,
// "WWW-Authenticate" for 401, "Location" for the redirections... Empty when none is required.
std::span<const std::string_view> required_headers(status s) noexcept;

// How strongly the code's RFC asks for a field of required_headers(s): most are MUST; a few
// are SHOULD (Link on 451, RFC 7725 §3) or MAY (Retry-After on 429, RFC 6585 §4, and on 503,
// RFC 9110 §15.6.4), which teapot sends all the same.
enum class field_strength : unsigned char { must, should, may };
field_strength strength_of(status s, std::string_view field) noexcept;
// The RFC that sets a field's strength when it is not MUST ("RFC 6585"); empty for MUST.
std::string_view strength_source(status s, std::string_view field) noexcept;

}  // namespace teapot::http
