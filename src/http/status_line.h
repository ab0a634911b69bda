// Ready-made HTTP/1.1 status lines, so that writing a response head copies bytes instead of
// formatting a number and looking up a phrase for every response.
#pragma once

#include <string_view>

#include "teapot/http/status.h"

namespace teapot::http {

// "HTTP/1.1 200 OK\r\n", CRLF included. Every number from 100 to 599 has a line: one the
// registry does not hold gets an empty reason phrase ("HTTP/1.1 299 \r\n"), which RFC 9112 §4
// allows. A value outside 100..599 gets the 500 line. The view stays valid for the life of the
// program; the table is built once, before the first call returns, and is safe to read from
// any thread.
std::string_view status_line(status s) noexcept;

}  // namespace teapot::http
