// A site as a forward proxy (RFC 9110 §3.7, §9.3.6): off unless set with site::set_forward_proxy.
//
//   teapot::site& s = server.default_site();
//   s.set_forward_proxy({.connect_ports = {443},
//                        .steps = {teapot::handlers::make_proxy_auth({.htpasswd =
//                        "proxy.users"})}});
//
// What it takes, over HTTP/1.1 (and CONNECT over HTTP/2 too, RFC 9113 §8.5: the stream's DATA
// frames then carry the tunnel):
// - CONNECT host:port: the site's steps are skipped; the proxy's own steps run (proxy
//   authentication: 407), then the port must be listed (403 otherwise), then the destination is
//   resolved, and refused 403 when local (allow_local_destinations), then connected to: 502
//   when it refuses, 504 when it does not accept within connect_timeout. On
//   success, 200 with no content, and the connection becomes a tunnel of bytes both ways.
// - an absolute-form request ("GET http://host:port/path") whose authority the site does not
//   claim by its host names: the proxy's steps, its port in http_ports and its address not
//   local (403 otherwise), then the request goes to that origin as a proxy
//   route sends it to an upstream (teapot/proxy.h: its 502/504, Via, X-Forwarded-For), in
//   origin-form with Host made from the target (RFC 9112 §3.2.2), without Proxy-Authorization
//   and Proxy-Connection. Only the http scheme: another is answered 400 (a client asks for
//   https through a CONNECT tunnel).
// Names are resolved on the server's blocking-work pool, numeric addresses at once.
// Thread contract: set before the server starts; read by every worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "teapot/policy.h"

namespace teapot {

struct forward_proxy_options {
  // The destination ports a CONNECT may open a tunnel to; any other is answered 403. The
  // default keeps the tunnel to what browsers use it for (HTTPS), as Squid's SSL_ports does.
  std::vector<std::uint16_t> connect_ports{443};
  // The destination ports an absolute-form request ("GET http://host:port/") may go to; any
  // other is answered 403, as for CONNECT: without it the proxy would carry requests written
  // as HTTP to any service (mail, a database) of any host.
  std::vector<std::uint16_t> http_ports{80};
  // Whether a destination may be an address of this host or its link: loopback (127.0.0.0/8,
  // ::1), link-local (169.254.0.0/16, fe80::/10), unspecified (0.0.0.0/8, ::), and the same as
  // IPv4-mapped IPv6 addresses. Off: such a destination (however its name resolves) is
  // answered 403, for a CONNECT and an absolute-form request alike, so that the proxy opens no
  // way from outside into services bound to the host's loopback, or to a cloud's metadata
  // service at 169.254.169.254.
  bool allow_local_destinations = false;
  // Time to establish the TCP connection to the destination: 504 past it.
  std::chrono::milliseconds connect_timeout{5000};
  // An absolute-form request: time for the origin's response head, and between two reads of
  // its content (teapot::proxy_options::response_timeout).
  std::chrono::milliseconds response_timeout{60000};
  // A tunnel in which no byte has moved either way for this long is closed.
  std::chrono::milliseconds tunnel_idle_timeout{300000};
  // Steps every proxied request passes first, in order, instead of the site's own (which guard
  // the site's resources): proxy authentication (handlers::make_proxy_auth), say. A step's
  // answer is the request's answer.
  std::vector<std::shared_ptr<policy>> steps{};
};

}  // namespace teapot
