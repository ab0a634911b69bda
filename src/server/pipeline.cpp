#include "server/pipeline.h"

#include <exception>
#include <string>

#include "server/error_page.h"

namespace teapot::srv::pipeline {

namespace {

// The site's steps, at head time. True when one of them answered.
bool run_steps(exchange& ex, error_log& log) {
  try {
    for (const auto& step : ex.site_of->policies())
      if (step->on_request(ex.req, *ex.res) == policy::verdict::answered) return true;
  } catch (const std::exception& e) {
    log.write(log_level::error, "a policy failed on " + std::string(ex.req.path) + ": " + e.what());
    ex.fresh_response();
    ex.res->error(http::status::internal_server_error);
    return true;
  }
  return false;
}

}  // namespace

after_head on_head(exchange& ex, const head_facts& facts, const limits& lim, error_log& log) {
  ex.site_of = ex.sites->table.find(facts.authority);
  if (ex.site_of == nullptr) {
    // Strict hosts: this server is not configured for that authority (RFC 9110 §15.5.20).
    ex.res->error(http::status::misdirected_request);
    return after_head::answered;
  }
  // Before the steps and before any 100: a body too large for its path is never read.
  ex.body_max = lim.body_for(ex.req.path);
  if (facts.content_length && *facts.content_length > ex.body_max) {
    ex.res->error(http::status::content_too_large);  // RFC 9110 §15.5.14
    return after_head::answered;
  }
  if (run_steps(ex, log)) return after_head::answered;
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
  ex.site_of->routes().find(ex.req.method, ex.req.path, ex.match);
  ex.req.params = ex.match.params;
  return facts.has_content ? after_head::read_content : after_head::run_handler;
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

void finish(exchange& ex, std::time_t now) {
  response& res = *ex.res;
  ex.interim_allowed = false;
  if (http::is_informational(res.status())) res.error(http::status::internal_server_error);
  apply_representation(ex.req, res, now, ex.plan, ex.site_of);
  if (res.wants_error_page()) write_error_page(res.status(), ex.req, ex.site_of, res);
  // Last, so that the steps see (and may change) every field the server itself added.
  if (ex.site_of) {
    const auto& steps = ex.site_of->policies();
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
      (*it)->on_response(ex.req, res);
  }
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
