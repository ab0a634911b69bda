// How a configuration message names the value it is about: in single quotes, 'like this'.
#pragma once

#include <string>
#include <string_view>

namespace teapot::config {

// Built by appending, then extended with `+ " is not ..."`. Prepending a one-character literal
// to a temporary string instead ("'" + std::string(v)) inserts at position 0, in which GCC 12
// at -O2 and -O3 sees an overlap that cannot happen (-Wrestrict, GCC bug 105329) and
// warnings-as-errors stops the build.
inline std::string single_quoted(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '\'';
  out += value;
  out += '\'';
  return out;
}

}  // namespace teapot::config
