// The forward proxy of a site (teapot/forward_proxy.h): the handler the pipeline runs for a
// proxied request once the proxy's own steps have let it through. A CONNECT is checked against
// the port list (403), its destination resolved (on the pool for a name) and connected to
// (destination_connect.h: 502, 504), and answered 200 with the connected socket, which the
// connection takes over as a tunnel (tunnel.h). An absolute-form request goes to its origin
// through an upstream_exchange built for it alone.
// Thread contract: the handler runs on the connection's loop, and so does everything it starts.
#pragma once

#include <memory>

#include "teapot/forward_proxy.h"
#include "teapot/handler.h"
#include "teapot/site.h"

namespace teapot::srv {

handler make_forward_proxy(std::shared_ptr<const forward_proxy_options> options);

}  // namespace teapot::srv
