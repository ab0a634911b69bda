// A reverse proxy route: requests below a prefix are sent to an upstream HTTP/1.1 server and its
// responses relayed, each upstream status unchanged (its 500 stays 500; the one exception is
// the 203 of transcode_legacy_text, a route's choice).
//
//   site.routes().route("*", "/api/*", teapot::proxy_route({.upstreams = {"127.0.0.1:9000"}}));
//
// What the proxy itself answers (RFC 9110 §15.6.3, §15.6.5): 502 Bad Gateway when the upstream
// refuses the connection, answers something that is not an HTTP/1.1 response (garbage, a
// malformed field, conflicting framing) or closes before its response head is complete; 504
// Gateway Timeout when the connection or the response head does not come within its timeout;
// 503 Service Unavailable with Retry-After when every upstream has failed to connect lately
// or fails its health check.
// Once the head has been relayed, a failure cuts the response short (the client sees it
// incomplete), as any later failure must.
//
// The request goes with framing of the proxy's own (Content-Length, or chunked for content of
// unknown length), without its hop-by-hop fields (RFC 9110 §7.6.1), with its entry appended to
// Via (§7.6.3) and X-Forwarded-For/-Proto/-Host or Forwarded (RFC 7239) added (forwarded), a
// TRACE's or OPTIONS's Max-Forwards one less (§7.6.2; one of 0 is answered here, OPTIONS 204 and
// TRACE 405, with Allow) and a CONNECT answered 501; its Host is kept. Its
// content is streamed to the upstream as it arrives when the route streams bodies
// (route_options::stream_body, as the configuration mounts it), else sent whole. The response comes
// back without its hop-by-hop fields, Date and Server (the proxy's own are sent), its content
// streamed with backpressure. Connections to the upstreams are kept alive for the next requests of
// the same worker (keepalive). An HTTP/1.1 client's WebSocket upgrade goes on to the upstream,
// whose 101 makes the two connections one byte tunnel.
//
//   site.routes().route("*", "/api/*", teapot::proxy_route(options), {.stream_body = true});
//
// Thread contract: the handler runs on the connection's loop, and so does everything it starts.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/handler.h"

namespace teapot {

// Which fields tell the upstream about the client (besides Via, always sent).
enum class forwarded_fields : unsigned char {
  x_forwarded,  // X-Forwarded-For (appended to), X-Forwarded-Proto, X-Forwarded-Host
  forwarded,    // Forwarded (RFC 7239): for, proto and host, appended to the client's list
  both,
  none,  // neither added; the client's pass unchanged
};

// How a request picks its upstream among those not left out.
enum class proxy_balance : unsigned char {
  round_robin,        // each in turn
  least_connections,  // the one with the fewest requests in progress (all workers counted);
                      // among equals, each in turn
};

// Active health checks (nginx's health_check, HAProxy's check): a GET of path on every
// upstream each interval, from a thread of the route's own. An upstream whose answer is not
// 2xx or 3xx within timeout (refused, silent, garbage, 5xx) fails_to_leave times in a row is
// left out until it passes passes_to_return times in a row. Upstreams start in.
struct proxy_health_check {
  std::string path{};  // "/health"; empty: no active checks
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds timeout{2000};
  unsigned fails_to_leave = 1;
  unsigned passes_to_return = 1;
};

struct proxy_options {
  // "host:port" or "[v6]:port" (or either after "http://" or "https://"), resolved when the
  // route is made; taken as balance says.
  std::vector<std::string> upstreams;
  // Time to establish the TCP connection to the upstream: 504 past it.
  std::chrono::milliseconds connect_timeout{5000};
  // Time for the response head once the request is sent, and between two reads of its content:
  // 504 (before the head) or a cut response (after it) past it.
  std::chrono::milliseconds response_timeout{60000};
  // An upstream that refused a connection or took none within connect_timeout is left out for
  // this long (nginx's fail_timeout); the request goes to the next upstream, since none of it
  // was sent. With every upstream left out: 503 with Retry-After.
  std::chrono::milliseconds fail_timeout{10000};
  // Idle connections kept open per upstream and per worker for the next requests; 0: a
  // connection per request (with Connection: close).
  std::size_t keepalive = 32;
  // How long an idle connection is kept: shorter than the upstreams' own idle timeouts (5 s
  // for Apache, Node and teapot), so that the proxy, not the upstream, closes it; a request
  // sent on a connection the upstream closed meanwhile is retried on a new one when it is
  // idempotent and has no content, and answered 502 otherwise.
  std::chrono::milliseconds keepalive_timeout{4000};
  forwarded_fields forwarded = forwarded_fields::x_forwarded;
  // Upstreams written "https://host:port" are reached over TLS (1.2 or 1.3, ALPN http/1.1):
  // their certificate must be signed by a CA of tls_ca (a PEM file; empty: the system's, in
  // /etc/ssl/certs) and hold the name or address the upstream is written with, unless
  // tls_verify is off. A failed handshake is a failed connection: 502, the next upstream.
  bool tls_verify = true;
  std::string tls_ca{};
  proxy_balance balance = proxy_balance::round_robin;
  proxy_health_check health_check{};
  // Where the route tells the operator of an upstream leaving or coming back after a health
  // check; empty: nowhere.
  std::function<void(std::string_view line)> log{};
  // A 200 whose content is text/* in a legacy charset declared by its Content-Type
  // (windows-1252 and the labels browsers read as it: iso-8859-1, latin1, ...) goes to the
  // client as 203 Non-Authoritative Information (RFC 9110 §15.3.4), its text in UTF-8 with
  // charset=utf-8, its length unknown, its entity tag weak. Never with no-transform in the
  // response's or the request's Cache-Control, never a coded content, never another status
  // (a 206 stays as it came; a 304's strong entity tag goes weak, as the 203's it validates,
  // unless no-transform). docs/proxy.md, "Transcoding (203)", has the whole rule.
  bool transcode_legacy_text = false;
};

// Throws std::invalid_argument when an upstream is not host:port or cannot be resolved, or
// when tls_ca cannot be read (with an https:// upstream), or
// for a health check whose path does not start with '/' or whose times are not above zero.
handler proxy_route(proxy_options options);

}  // namespace teapot
