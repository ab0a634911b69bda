// Which fields may come in a trailer section, on every transport.
#pragma once

#include <string_view>

namespace teapot::http {

// RFC 9110 §6.5.1: fields that frame, route or authenticate a message, or say how to read its
// content, are needed before the content and mean nothing after it; a name or value that is
// not a valid field is never sent.
bool may_trail(std::string_view name, std::string_view value) noexcept;

}  // namespace teapot::http
