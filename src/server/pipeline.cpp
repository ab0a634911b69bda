#include "server/pipeline.h"

#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "http/transport_security.h"
#include "server/error_page.h"
#include "server/forward_proxy.h"
#include "server/response_access.h"
#include "server/site_access.h"

namespace teapot::srv::pipeline {

namespace {

void fail_step(exchange& ex, error_log& log, std::string_view what) {
  log.write(log_level::error,
            "a policy failed on " + std::string(ex.req.path) + ": " + std::string(what));
  ex.fresh_response();
  ex.res->error(http::status::internal_server_error);
}

// One step, with its wait if it made one: next, answered, or pending (still waiting).
policy::verdict run_step(exchange& ex, policy& step, error_log& log) {
  ex.begin_step();
  policy::verdict said = policy::verdict::answered;
  try {
    said = step.on_request(ex.req, *ex.res);
  } catch (const std::exception& e) {
    ex.end_step();
    ex.take_step_verdict();  // its handle, if any, reaches nothing any more
    fail_step(ex, log, e.what());
    return policy::verdict::answered;
  }
  switch (ex.end_step()) {
    case step_wait::none:
      if (said != policy::verdict::pending) return said;
      fail_step(ex, log, "it returned pending without a pending_verdict");
      return policy::verdict::answered;
    case step_wait::waiting:
      if (said == policy::verdict::pending) return said;
      ex.take_step_verdict();  // the verdict it returned counts; its handle is dropped
      return said;
    case step_wait::next:
    case step_wait::answered:
      return ex.take_step_verdict();  // decided before it returned
  }
  return said;
}

// RFC 8470 §5.2: a request received in early data runs only where a replay does no harm: by
// default the methods RFC 9110 §9.2.1 calls safe, without content. No route (404, 405) is an
// answer a replay cannot change.
bool runs_in_early_data(const exchange& ex) {
  if (ex.match.target == nullptr) return true;
  switch (ex.match.options.early_data) {
    case early_data_use::allow:
      return true;
    case early_data_use::refuse:
      return false;
    case early_data_use::by_method:
      break;
  }
  const std::string_view m = ex.req.method;
  return !ex.progress.has_content && (m == "GET" || m == "HEAD" || m == "OPTIONS");
}

// RFC 9110 §3.7: what a forward proxy takes: a CONNECT, or an absolute-form target whose
// authority is not the site's own (for its own, RFC 9112 §3.2.2, the site answers as it does
// for origin-form). The site is the one the authority names, else the default site.
bool is_proxied(const exchange& ex, const head_facts& facts) {
  if (!facts.can_proxy || ex.site_of->forward_proxy() == nullptr) return false;
  // An extended CONNECT (RFC 8441 §4) names a resource of this site by its path: not a tunnel.
  if (ex.req.method == "CONNECT") return ex.req.protocol.empty();
  const std::string_view target = ex.req.target;
  return !target.empty() && target.front() != '/' && target != "*" &&
         !ex.site_of->answers_for(facts.authority);
}

// An extended CONNECT (RFC 8441 §4) asks for :protocol to be spoken on the stream, at the
// resource its path names. A route that takes any method (a proxy route, say) starts no
// protocol: relayed, the CONNECT would ask its upstream for a tunnel. RFC 9220 §3 (the same
// CONNECT over HTTP/3) answers a :protocol that is not supported with 501 (RFC 9110
// §15.6.2), as a WebSocket route does for another :protocol; not 405, whose Allow (§15.5.6)
// would have to list the methods of a route that takes them all.
bool starts_no_protocol(const exchange& ex) {
  return !ex.req.protocol.empty() && ex.match.target != nullptr && ex.match.any_method;
}

// The site's steps (or its forward proxy's) from ex.progress.step_at, then the route.
after_head run_steps(exchange& ex, error_log& log) {
  const auto& steps = ex.steps();
  for (; ex.progress.step_at < steps.size(); ++ex.progress.step_at) {
    switch (run_step(ex, *steps[ex.progress.step_at], log)) {
      case policy::verdict::next:
        continue;
      case policy::verdict::answered:
        ex.progress.answered_by_step = true;
        return after_head::answered;
      case policy::verdict::pending:
        return after_head::pending;
    }
  }
  if (ex.req.path == "*") {
    // OPTIONS * (the only method the codec lets through with it) asks about the server
    // itself, not a resource (RFC 9110 §9.3.7): the methods the site's routes take, and
    // OPTIONS, which this answers; as a file's OPTIONS lists the file's.
    ex.res->set_status(http::status::no_content);
    std::string allow;
    ex.site_of->routes().list_methods(allow);
    if (allow.find("OPTIONS") == std::string::npos)
      allow.append(allow.empty() ? "" : ", ").append("OPTIONS");
    ex.res->set_header("Allow", allow);
    return after_head::answered;
  }
  if (ex.req.method == "CONNECT" && ex.req.protocol.empty() && !ex.progress.forward) {
    // A tunnel to the authority (RFC 9110 §9.3.6), not a resource of the site: a site that is
    // no forward proxy has none to give. 405, and Allow is empty, as the target allows no
    // method here (§10.2.1). An extended CONNECT (RFC 8441 §4) names a resource by its path,
    // and is routed as any request is.
    ex.res->error(http::status::method_not_allowed);
    ex.res->set_header("Allow", "");
    return after_head::answered;
  }
  find_route(ex);
  if (starts_no_protocol(ex)) {
    ex.res->error(http::status::not_implemented);
    return after_head::answered;
  }
  if (ex.req.early_data && !runs_in_early_data(ex)) {
    ex.res->error(http::status::too_early);
    return after_head::answered;
  }
  return ex.progress.has_content ? after_head::read_content : after_head::run_handler;
}

// The coding of a large file, or the instance-manipulations of delta encoding, off the loop:
// read and coded on a pool thread, the result put into the response (and the worker's cache)
// back on the loop.
void code_off_loop(exchange& ex) {
  if (ex.plan.delta) {
    auto work = ex.plan.delta;
    work->res = ex.res;
    ex.wait_for_pool([work] { work->run(); }, [&ex, work] { delta::complete(*ex.res, *work); });
    return;
  }
  auto job = std::make_shared<compression::file_coding>(ex.res, ex.plan.coding);
  ex.wait_for_pool([job] { job->run(); },
                   [&ex, job] { compression::complete(ex.req, *ex.res, *job); });
}

// An ACME client (RFC 8555 §8.3) fetches its challenge over plain HTTP, on port 80, and
// follows a redirect only to port 80 or 443: a TLS port of another number would fail it.
constexpr std::string_view acme_challenges = "/.well-known/acme-challenge/";

// RFC 6797 §7.2: a site that is HTTPS only answers a request over plain HTTP with the same
// target on https, and nothing else. 308, not 301: a client keeps the method and content
// (RFC 9110 §15.4.9), so a POST is not turned into a GET on the way.
bool redirect_to_https(exchange& ex, const head_facts& facts) {
  const https_options& https = ex.site_of->https();
  if (facts.secure || !https.redirect_http || ex.req.path == "*" || ex.req.method == "CONNECT" ||
      ex.req.path.starts_with(acme_challenges))
    return false;
  std::string_view authority = facts.authority;
  if (authority.empty()) {
    // HTTP/1.0 may omit Host: the site's first name, when it has one that is not a pattern.
    for (const std::string& name : ex.site_of->hosts())
      if (!name.starts_with("*.")) {
        authority = name;
        break;
      }
  }
  if (authority.empty()) {
    // No name to send the client to, and the site is not served over plain HTTP.
    ex.res->error(http::status::forbidden);
    return true;
  }
  ex.res->redirect(http::status::permanent_redirect,
                   http::https_location(authority, ex.sites->https_port, ex.req.target));
  return true;
}

}  // namespace

after_head on_head(exchange& ex, const head_facts& facts, const limits& lim, error_log& log) {
  ex.secure = facts.secure;
  ex.req.secure = facts.secure;
  ex.req.early_data = facts.early;
  ex.progress.forward = false;
  ex.site_of = facts.misdirected ? nullptr : ex.sites->table.find(facts.authority);
  if (ex.site_of == nullptr) {
    // Strict hosts: this server is not configured for that authority; or, on TLS, not on this
    // connection, whose certificate does not cover it (RFC 9110 §15.5.20).
    ex.res->error(http::status::misdirected_request);
    return after_head::answered;
  }
  ex.progress.forward = is_proxied(ex, facts);
  if (!ex.progress.forward && redirect_to_https(ex, facts)) return after_head::answered;
  // Before the steps and before any 100: a body too large for its path is never read.
  ex.body_max = lim.body_for(ex.req.path);
  if (facts.content_length && *facts.content_length > ex.body_max) {
    ex.res->error(http::status::content_too_large);  // RFC 9110 §15.5.14
    return after_head::answered;
  }
  ex.progress.has_content = facts.has_content;
  ex.progress.step_at = 0;
  return run_steps(ex, log);
}

after_head resume_steps(exchange& ex, error_log& log) {
  if (ex.take_step_verdict() == policy::verdict::answered) {
    ex.progress.answered_by_step = true;
    return after_head::answered;
  }
  ++ex.progress.step_at;
  return run_steps(ex, log);
}

void find_route(exchange& ex) {
  if (ex.progress.forward) {
    ex.match.target = site_access::forward_handler(*ex.site_of);
    ex.match.options = route_options{};
    ex.match.any_method = false;
    ex.match.allow.clear();
    ex.match.params.clear();
  } else {
    ex.site_of->routes().find(ex.req.method, ex.req.path, ex.match);
  }
  ex.req.params = ex.match.params;
}

void run_handler(exchange& ex, error_log& log) {
  response& res = *ex.res;
  if (ex.match.target == nullptr) {
    if (ex.match.allow.empty()) {
      res.error(http::status::not_found);
    } else {
      res.error(http::status::method_not_allowed);
      res.set_header("Allow", ex.match.allow);
    }
    return;
  }
  ex.enter_handler();
  try {
    (*ex.match.target)(ex.req, res);
  } catch (const std::exception& e) {
    log.write(log_level::error,
              "the handler for " + std::string(ex.req.path) + " failed: " + e.what());
    ex.fresh_response();
    ex.res->error(http::status::internal_server_error);
  } catch (...) {
    ex.fresh_response();
    ex.res->error(http::status::internal_server_error);
  }
  ex.leave_handler();
}

bool finish(exchange& ex, std::time_t now) {
  if (!ex.progress.representation_applied) {
    ex.progress.representation_applied = true;
    ex.interim_allowed = false;
    // A 101 is final only where a route switched protocols (a WebSocket upgrade), as is the
    // 200 that opens a WebSocket on an HTTP/2 stream (RFC 8441 §5): neither has a
    // representation, so none of the representation's steps apply.
    const http::status st = ex.res->status();
    const bool switches = (st == http::status::switching_protocols || st == http::status::ok) &&
                          response_access::upgrade(*ex.res) != nullptr;
    // Nor has a 2xx to CONNECT, which opens a tunnel (RFC 9110 §9.3.6), nor an upstream's 101
    // relayed by the reverse proxy.
    const bool tunnels = (st == http::status::ok || st == http::status::switching_protocols) &&
                         response_access::tunnel(*ex.res) != nullptr;
    if (switches || tunnels) return true;
    if (http::is_informational(ex.res->status()))
      ex.res->error(http::status::internal_server_error);
    if (!apply_representation(ex.req, *ex.res, now, ex.plan, ex.site_of)) {
      code_off_loop(ex);
      return false;
    }
  }
  // ex.res, not a reference taken before: a failed wait answers with a fresh response.
  response& res = *ex.res;
  if (res.wants_error_page()) write_error_page(res.status(), ex.req, ex.site_of, res);
  // RFC 6797 §7.1: on every response over TLS, errors too; §7.2: never over plain HTTP.
  if (ex.secure && ex.site_of && !ex.site_of->strict_transport_security().empty())
    res.set_header("Strict-Transport-Security", ex.site_of->strict_transport_security());
  // Last, so that the steps see (and may change) every field the server itself added.
  if (ex.site_of) {
    const auto& steps = ex.steps();
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
      (*it)->on_response(ex.req, res);
  }
  return true;
}

void refuse_content(exchange& ex) {
  ex.fresh_response();
  ex.res->error(http::status::content_too_large);
}

void answer_with(exchange& ex, http::status s) {
  // The message cannot be trusted, or never finished: nothing of it chooses a site or a page.
  ex.req = request{};
  ex.site_of = nullptr;
  ex.fresh_response();
  ex.res->error(s);
}

}  // namespace teapot::srv::pipeline
