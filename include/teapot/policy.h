// A step of a site's pipeline: it runs for every request of the site, in the order the steps
// were added, after the request head has arrived and before the content is read and the router
// runs. A step answers the request itself (captive portal, maintenance, rate limit, auth,
// configured rules) or lets it through, perhaps after sending an interim 103. A step whose
// decision takes time (a password hash, say) gives it later: see pending_verdict.
// Thread contract: on_request and on_response run on the connection's loop thread, on any
// worker at once: a step that keeps state guards it, or keeps it per thread.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot {

class policy {
 public:
  enum class verdict : unsigned char {
    next,      // let the request through to the next step
    answered,  // res holds the final response; no later step and no handler runs
    // The step decides later through the pending_verdict it made from res. Until then no later
    // step runs and nothing more of the request is read (no 100 Continue, no content).
    pending,
  };

  virtual ~policy() = default;
  // req.body is empty here: a step decides from the head alone, so that a refused request is
  // refused before its content is sent (and before 100 Continue).
  virtual verdict on_request(const request& req, response& res) = 0;
  // Runs for every final response of the site, whoever produced it, in reverse order of the
  // steps (headers to add or remove, say). The default does nothing.
  virtual void on_response(const request& req, response& res) {
    (void)req;
    (void)res;
  }
  // What the server's metrics count this step's own answers under
  // (teapot_step_answers_total{step="..."}): "rate_limit", "basic_auth" and so on for the
  // built-in steps; empty, the default, is counted as "custom".
  virtual std::string_view name() const noexcept { return {}; }
};

// A step's decision to come (policy::verdict::pending): made inside on_request from the
// response it was given, which then returns pending. Its next() or answer() decides, from any
// thread; the pipeline goes on on the connection's loop thread: the later steps, the route,
// the content and the handler, or the response the step put in res(). Work that would stall
// the loop goes to the server's blocking-work pool with run_blocking.
//
//   verdict on_request(const request& req, response& res) override {
//     teapot::pending_verdict wait(res);
//     wait.run_blocking([job] { job->ok = slow_check(*job); },
//                       [wait, job]() mutable {
//                         if (!job->ok) wait.res().error(http::status::forbidden);
//                         job->ok ? wait.next() : wait.answer();
//                       });
//     return verdict::pending;
//   }
//
// Copies share one state; the first of next() and answer() decides, and the others do nothing.
// Fill res() from one thread at a time, and only before deciding. If the client has gone, no
// decision goes anywhere (is_open() is false) and the request's views must no longer be read;
// the site's steps stay alive while a copy exists, so a callback may still use its step.
class pending_verdict {
 public:
  explicit pending_verdict(response& res) : wait_(res.defer()) {}

  response& res() noexcept { return wait_.res(); }
  // As verdict::next: the request goes on to the next step.
  void next();
  // As verdict::answered: res() holds the final response.
  void answer() { wait_.send(); }
  // As on deferred_response: fn, or work then `then`, on the pool and the loop thread, unless
  // the request has been given up by then. An exception from either answers with a 500.
  void post(std::function<void()> fn) { wait_.post(std::move(fn)); }
  void run_blocking(std::function<void()> work, std::function<void()> then) {
    wait_.run_blocking(std::move(work), std::move(then));
  }
  bool is_open() const noexcept { return wait_.is_open(); }

 private:
  deferred_response wait_;
};

}  // namespace teapot
