// The order every request goes through, whatever transport carries it, written once
// (DESIGN.md): site by Host (421) -> a request the site's forward proxy takes (CONNECT, an
// absolute-form target for another authority) leaves here for the proxy's own steps (407)
// and its handler (403, 502, 504, the tunnel) -> HTTPS for a site that asks for it over plain HTTP
// (308)
// -> body limit of the path (413) -> the site's steps (captive portal, maintenance, rate
// limit, auth, rules, early hints, mandatory extensions, in the order the site lists them)
// -> route (404/405) -> handler -> representation (304/412/206/416 and compression) -> error
// response (the page and the fields a status requires) -> HSTS over TLS -> the steps' last
// look at the response, in reverse order.
// The codec's own decisions (400, 411, 414, 431, 501, 505, the chunk line's 413) are taken
// before, by the transport; 408 by the transport's timers.
// Two points of the order may wait without holding the loop: a step that decides later
// (policy::verdict::pending: after_head::pending, then resume_steps()), and the representation
// when it codes a large file on the blocking-work pool (finish() says false, then the
// transport's on_deferred_sent() and finish() again). Meanwhile the transport reads nothing of
// the request; if the client leaves, the exchange ends and the wait's result goes nowhere.
// Thread contract: the exchange's loop thread.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

#include "server/exchange.h"
#include "teapot/log.h"
#include "teapot/server.h"

namespace teapot::srv::pipeline {

// What the head says of the content to come.
struct head_facts {
  std::string_view authority;                   // Host, or the absolute-form target's authority
  bool has_content = false;                     // framed by Content-Length or chunked
  std::optional<std::uint64_t> content_length;  // when announced
  // The connection's TLS certificate does not cover the authority (RFC 9110 §15.5.20).
  bool misdirected = false;
  // The request came over TLS: no redirect to HTTPS, and the site's Strict-Transport-Security
  // (RFC 6797 §7.2: never over plain HTTP).
  bool secure = false;
  // Some of the request came as TLS 1.3 early data, which an attacker may replay (RFC 8470).
  bool early = false;
  // The transport can carry a CONNECT tunnel and forward an absolute-form request (HTTP/1.1):
  // a site's forward proxy may take the request. HTTP/2 CONNECT (RFC 9113 §8.5) is not done.
  bool can_proxy = false;
};

enum class after_head : std::uint8_t {
  answered,      // the response is final; the content, if any, is not read
  read_content,  // the route is known (or is a 404/405): read the content, then run_handler()
  run_handler,   // no content: run_handler() now
  pending,       // a step decides later: the transport waits for its on_step_decided()
};

// Everything the head alone decides: the site, the body limit, the steps, the route.
after_head on_head(exchange& ex, const head_facts& facts, const limits& lim, error_log& log);

// After on_step_decided(): the waiting step's decision, then the steps after it and the route,
// as on_head() would have gone on.
after_head resume_steps(exchange& ex, error_log& log);

// The route of the request, into ex.match and ex.req.params: the forward proxy's handler for
// a request it takes, else the site's router's. Again after the transport rebinds the request's
// views.
void find_route(exchange& ex);

// Runs the route's handler (or answers 404/405). Afterwards the response is final unless the
// handler deferred it (exchange::is_deferred_pending).
void run_handler(exchange& ex, error_log& log);

// The representation's decisions and the error page, then the steps' last look: what the
// transport serializes next. now is the server clock (for dates in the future). False when
// the representation codes a large file on the pool first: the transport's on_deferred_sent()
// follows, and then this again, which carries on from there. An error never waits.
bool finish(exchange& ex, std::time_t now);

// 413 for content that passed the path's limit as it arrived (chunked), with the site's page.
void refuse_content(exchange& ex);

// A final answer the transport decided itself (the codec's errors, 408): the request is
// forgotten and the built-in page answers, as no site can be trusted to.
void answer_with(exchange& ex, http::status s);

}  // namespace teapot::srv::pipeline
