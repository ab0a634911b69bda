// The hop-by-hop fields of a message (RFC 9110 §7.6.1): what a proxy removes before it forwards a
// request or a response, on every transport. Pure functions over views; safe from any thread.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "base/ascii.h"

namespace teapot::http {

// The fields that are hop-by-hop whatever Connection says: Connection itself, those RFC 9110
// §7.6.1 names (Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade), and Trailer,
// which announces the trailer section of a chunked body that the next hop frames anew.
inline constexpr std::array<std::string_view, 7> fixed_hop_by_hop_fields = {
    "Connection", "Keep-Alive",        "Proxy-Connection", "TE",
    "Trailer",    "Transfer-Encoding", "Upgrade"};

// Whether name is one of fixed_hop_by_hop_fields (case-insensitive, RFC 9110 §5.1).
bool is_fixed_hop_by_hop(std::string_view name) noexcept;

// Appends to options the connection options of one Connection field value (RFC 9110 §7.6.1:
// Connection = #connection-option, connection-option = token), empty list elements skipped
// (RFC 9110 §5.6.1). Returns false when an element is not a token, after appending the
// elements before it: a proxy that cannot tell which fields are hop-by-hop must not forward.
bool add_connection_options(std::string_view value, std::vector<std::string_view>& options);

// Whether a field named name is hop-by-hop in a message whose Connection fields named
// connection_options: a fixed one, or one of the options (case-insensitive).
bool is_hop_by_hop(std::string_view name,
                   std::span<const std::string_view> connection_options) noexcept;

// The names of the hop-by-hop fields of a message with these fields (any type with name and
// value members, such as teapot::header_field): fixed_hop_by_hop_fields, then each option of
// its Connection fields not listed yet (views into their values), each name once
// (case-insensitive). An element of Connection that is not a token is left out; a caller that
// must refuse such a message checks with add_connection_options.
template <class Field>
std::vector<std::string_view> hop_by_hop_fields(std::span<const Field> fields) {
  std::vector<std::string_view> options;
  for (const Field& f : fields) {
    if (base::ascii::iequals(f.name, "Connection")) add_connection_options(f.value, options);
  }
  std::vector<std::string_view> names(fixed_hop_by_hop_fields.begin(),
                                      fixed_hop_by_hop_fields.end());
  for (std::string_view option : options) {
    if (!is_hop_by_hop(option, std::span<const std::string_view>(names).subspan(
                                   fixed_hop_by_hop_fields.size())))
      names.push_back(option);
  }
  return names;
}

}  // namespace teapot::http
