// Application-Layer Protocol Negotiation (RFC 7301), as pure functions over the wire form of a
// protocol list: each name preceded by its length in one byte (RFC 7301 §3.1).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace teapot::tls {

// RFC 7301 §3.2: the first protocol of the server's preference that the client's list holds,
// as a view into client_list. nullopt when none is shared, or when client_list is not a
// well-formed list (an empty name, a length past the end, an empty list).
std::optional<std::string_view> select_alpn(std::span<const std::string> server_preference,
                                            std::string_view client_list);

// The wire form of names. Throws std::invalid_argument for a name that is empty or longer
// than 255 bytes (RFC 7301 §3.1).
std::string alpn_wire(std::span<const std::string> names);

}  // namespace teapot::tls
