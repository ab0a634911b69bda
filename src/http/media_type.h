// A Content-Type value read as RFC 9110 §8.3.1 writes it (type "/" subtype, then parameters,
// §5.6.6), for what a transforming proxy needs: the media type and its charset parameter, and
// the value with that charset replaced and every other byte kept. Pure; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::http {

// Where the charset parameter's value stands in a Content-Type value.
struct charset_parameter {
  std::size_t at = 0;      // the value's first byte (its opening quote when quoted)
  std::size_t length = 0;  // quotes included
  std::string_view label;  // the value, without quotes (a quoted-pair is left as written)
};

struct media_type {
  std::string_view type;     // "text"
  std::string_view subtype;  // "html"
  std::optional<charset_parameter> charset;
};

// The parts of a Content-Type value, or nullopt when it is not media-type grammar: a type or
// subtype that is not a token, a parameter without "=" or whose value is neither a token nor a
// quoted-string, or a second charset parameter (which of the two holds is then anyone's guess).
// OWS around the value is allowed. Views point into value.
std::optional<media_type> parse_media_type(std::string_view value);

// value with the charset parameter's value (found by parse_media_type in value) replaced by
// charset; every other byte as it was.
std::string with_charset(std::string_view value, const charset_parameter& where,
                         std::string_view charset);

}  // namespace teapot::http
