// A handler answers one request by filling the response. It runs on the loop thread of the
// connection, must not block, and may defer (response::defer) to answer later on that thread.
// An exception thrown from a handler becomes a 500 whose body reveals nothing of it.
#pragma once

#include <functional>

#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot {

using handler = std::function<void(const request&, response&)>;

}  // namespace teapot
