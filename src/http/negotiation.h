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

// Parses a list; false when malformed (the caller then treats the field as absent, §12.5).
bool parse_weighted_list(std::string_view field, std::vector<weighted_value>& out);

// The weight a media type gets from Accept (§12.5.1: most specific range wins); 1000 when the
// field is absent.
int media_type_quality(std::optional<std::string_view> accept, std::string_view media_type);
// §12.5.4 with RFC 4647 basic filtering: the weight of a language tag.
int language_quality(std::optional<std::string_view> accept_language, std::string_view tag);
// §12.5.3: the weight of a content-coding ("identity" is acceptable unless excluded).
int coding_quality(std::optional<std::string_view> accept_encoding, std::string_view coding);

struct variant {
  std::string_view media_type;  // "text/html"
  std::string_view language;    // "fr", or empty
  std::string_view coding;      // "br", "gzip", "zstd", or empty for identity
};

struct negotiation_result {
  std::optional<std::size_t> chosen;  // index into the variants
  bool tie = false;                   // several variants share the best weight
  bool none_acceptable = false;       // every variant has weight 0
};

// Ranks by the product of the three weights; ties keep the variants' order (the server's
// preference) unless the caller wants them reported (for 300).
negotiation_result choose_variant(std::span<const variant> variants,
                                  std::optional<std::string_view> accept,
                                  std::optional<std::string_view> accept_language,
                                  std::optional<std::string_view> accept_encoding);

}  // namespace teapot::http
