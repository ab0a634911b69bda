// Text placed in the HTML pages handlers write (listings, the captive portal's page).
#pragma once

#include "base/html.h"

namespace teapot::handlers {

using base::append_html_escaped;

}  // namespace teapot::handlers
