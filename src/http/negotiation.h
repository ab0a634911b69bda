// Proactive negotiation (RFC 9110 §12) as pure functions: parse Accept, Accept-Language and
// Accept-Encoding, and rank the variants a resource offers.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace teapot::http {

// One element of an Accept-* list with its weight (q=0..1 in thousandths, §12.4.2).
struct weighted_value {
  std::string_view value;       // "text/html", "fr-CA", "gzip", "*"
  std::string_view parameters;  // media-type parameters other than q, verbatim ("level=1")
  int q = 1000;
};

// Parses a list (§5.6.1: OWS around commas, empty elements skipped) of `value *(OWS ";" OWS
// parameter) [weight]`, value a token or token/token ("*/x" is refused), the weight "q"
// (case-insensitive name) last. Replaces out's contents; views point into field. False when
// malformed — a bad qvalue (above 1, more than 3 decimals), a parameter after q — and the
// caller then treats the field as absent (§12.5).
bool parse_weighted_list(std::string_view field, std::vector<weighted_value>& out);

// The quality functions return thousandths. An absent, malformed or empty field constrains
// nothing and gives 1000 (except Accept-Encoding, below); an empty media type or language
// (a variant that has none) gets 1000.
//
// §12.5.1: the weight of the most specific range that matches (type/subtype with more
// parameters > type/subtype > type/* > */*; equally specific ranges: the first); 0 when none
// matches. media_type may carry parameters ("text/html;level=1"), which the range's
// parameters must all match (names and values case-insensitively).
int media_type_quality(std::optional<std::string_view> accept, std::string_view media_type);
// §12.5.4: the weight of the closest language range that matches, by the rules of
// choose_language (accept_language.h): basic filtering of RFC 4647 §3.3.1 ("fr" matches
// "fr-CA", "*" matches all but private-use tags), plus a range longer than the tag answered
// by the tag ("fr-CA" accepts "fr", as lookup does, §3.4) at a lower precedence; 0 when none.
int language_quality(std::optional<std::string_view> accept_language, std::string_view tag);
// §12.5.3: the weight of a content-coding (empty means "identity"; x-gzip is gzip). Listed:
// its weight; else "*"'s; else identity 1000 and any other 0 (so an empty field leaves only
// identity). An absent or malformed field: identity 1000 and any other coding 1 — acceptable,
// as the RFC says, but last, so that a client that did not ask for a coding gets one only
// when no unencoded variant is acceptable.
int coding_quality(std::optional<std::string_view> accept_encoding, std::string_view coding);

struct variant {
  std::string_view media_type;  // "text/html"
  std::string_view language;    // "fr", or empty
  std::string_view coding;      // "br", "gzip", "zstd", or empty for identity
  // How well the variant keeps the resource, in thousandths (RFC 2295 §5.3 "qs", a type
  // map's source quality): a factor of the variant's weight.
  int source_quality = 1000;
};

struct negotiation_result {
  std::optional<std::size_t> chosen;  // index into the variants; absent when none_acceptable
  bool tie = false;                   // several variants share the best weight (above 0)
  bool none_acceptable = false;       // every variant has weight 0 (or there is none)
};

// Ranks by the product of the three weights and the variant's source quality; among equal weights
// the first variant is chosen (the variants' order is the server's preference) and tie is set, so
// that the caller may answer 300 instead. Without Accept-Encoding, identity variants win over
// encoded ones (see coding_quality).
negotiation_result choose_variant(std::span<const variant> variants,
                                  std::optional<std::string_view> accept,
                                  std::optional<std::string_view> accept_language,
                                  std::optional<std::string_view> accept_encoding);

}  // namespace teapot::http
