// Field values that are comma-separated lists (RFC 9110 §5.6.1), and what the server reads from
// the ones every transport has to read alike.
#pragma once

#include <string_view>

#include "base/ascii.h"

namespace teapot::http {

// Calls f with each element of a list, whitespace around it removed; empty elements included
// (RFC 9110 §5.6.1 lets a recipient skip them; the caller decides).
template <class F>
void for_each_element(std::string_view list, F&& f) {
  while (true) {
    const std::size_t comma = list.find(',');
    f(base::ascii::trim_ows(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// Whether the list holds the token (case-insensitive, as the tokens of Connection, Upgrade
// and Expect are).
bool list_has_token(std::string_view list, std::string_view token) noexcept;

// What the Expect fields of a request ask (RFC 9110 §10.1.1).
struct expectations {
  bool continue_100 = false;  // "100-continue", the only expectation defined
  bool other = false;         // any other: the server cannot meet it (417)
};

// Adds what one Expect field value asks to e.
void note_expectations(std::string_view value, expectations& e) noexcept;

}  // namespace teapot::http
