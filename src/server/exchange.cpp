#include "server/exchange.h"

#include <exception>
#include <string>

#include "http/path.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

std::string_view split_query(std::string_view target, std::string_view& query) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) {
    query = {};
    return target;
  }
  query = target.substr(q + 1);
  return target.substr(0, q);
}

// absolute-form (RFC 9112 §3.2.2): the path is what follows the authority.
std::string_view path_of(std::string_view target) {
  if (target.empty() || target.front() == '/') return target;
  const std::size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return target;
  const std::size_t slash = target.find('/', scheme + 3);
  return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
}

}  // namespace

// --- deferral ---------------------------------------------------------------------------------

deferral::deferral(worker& w, exchange& ex) : worker_(w), ex_(&ex), sites_(ex.sites) {}

void deferral::send() {
  if (!open_.exchange(false, std::memory_order_acq_rel)) return;  // the first send() sends
  if (worker_.is_loop_thread()) {
    if (ex_) ex_->deferred_sent();
    return;
  }
  // What the sending thread wrote into the response is published by the loop's queue lock.
  worker_.loop().post([self = shared_from_this()] {
    if (self->ex_) self->ex_->deferred_sent();
  });
}

void deferral::post(std::function<void()> fn) {
  worker_.loop().post([self = shared_from_this(), fn = std::move(fn)] { self->run_guarded(fn); });
}

void deferral::run_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto arm = [self = shared_from_this(), delay, fn = std::move(fn)]() mutable {
    self->worker_.run_after(delay, [self, fn = std::move(fn)] { self->run_guarded(fn); });
  };
  if (worker_.is_loop_thread())
    arm();
  else
    worker_.loop().post(std::move(arm));
}

void deferral::run_blocking(std::function<void()> work, std::function<void()> then) {
  worker_.pool().submit(
      [self = shared_from_this(), work = std::move(work), then = std::move(then)]() mutable {
        std::string failure;
        try {
          work();
        } catch (const std::exception& e) {
          failure = e.what();
        } catch (...) {
          failure = "unknown exception";
        }
        self->worker_.loop().post([self, failure = std::move(failure), then = std::move(then)] {
          if (!failure.empty()) return self->fail("blocking work failed: " + failure);
          if (then) self->run_guarded(then);
        });
      });
}

void deferral::pass() {
  if (!open_.exchange(false, std::memory_order_acq_rel)) return;
  auto go_on = [self = shared_from_this()] {
    exchange* ex = self->ex_;
    if (ex == nullptr || ex->step_passed()) return;
    // A handler's handle: "next" means nothing after the steps, and the response is not ready.
    self->worker_.log(log_level::error, "pending_verdict::next() called outside a policy step");
    ex->fresh_response();
    ex->res->error(http::status::internal_server_error);
    ex->deferred_sent();
  };
  if (worker_.is_loop_thread())
    go_on();
  else
    worker_.loop().post(std::move(go_on));
}

void deferral::run_guarded(const std::function<void()>& fn) {
  if (ex_ == nullptr) return;  // the exchange has ended: nothing of it is left to act on
  try {
    fn();
  } catch (const std::exception& e) {
    fail(std::string("a deferred callback failed: ") + e.what());
  } catch (...) {
    fail("a deferred callback failed");
  }
}

// A failing callback answers its exchange with a 500, as a failing handler does.
void deferral::fail(std::string_view what) {
  worker_.log(log_level::error, what);
  if (ex_ == nullptr || !open_.exchange(false, std::memory_order_acq_rel)) return;
  ex_->fresh_response();
  ex_->res->error(http::status::internal_server_error);
  ex_->deferred_sent();
}

bool deferral::cut() noexcept {
  ex_ = nullptr;
  return open_.exchange(false, std::memory_order_acq_rel);
}

// --- exchange ---------------------------------------------------------------------------------

exchange::exchange(worker& w) : res(std::make_shared<response>()), worker_(w) {}

exchange::~exchange() {
  if (deferral_) deferral_->cut();
}

void exchange::fresh_response() {
  if (res.use_count() > 1) res = std::make_shared<response>();
  response_access::reset(*res, this);
}

void exchange::begin(exchange_transport& t) {
  end();
  transport_ = &t;
  fresh_response();
  interim_allowed = true;
  if (sites != worker_.sites()) sites = worker_.sites();
  site_of = nullptr;
  match.target = nullptr;
  plan.clear();
  body.clear();
  body_max = 0;
  secure = false;
  progress = {};
  in_step_ = false;
  step_ = step_wait::none;
}

void exchange::end() noexcept {
  interim_allowed = false;
  if (!deferral_) return;
  if (deferral_->cut()) abandoned_ = std::move(deferral_);
  deferral_.reset();
}

bool exchange::bind(std::string_view method, std::string_view target, int version_minor,
                    std::span<const header_field> fields, std::string_view peer,
                    std::string_view protocol) {
  req = request{};
  req.method = method;
  req.target = target;
  req.version_minor = version_minor;
  req.headers = fields;
  req.remote_address = peer;
  req.protocol = protocol;
  // CONNECT names an authority (RFC 9110 §9.3.6), which the codec has checked: no path; an
  // extended CONNECT (RFC 8441 §4) has one.
  if (method == "CONNECT" && protocol.empty()) return true;
  const std::string_view raw_path = split_query(path_of(target), req.query);
  if (target == "*") {
    req.path = "*";
    return true;
  }
  return http::normalize_path(raw_path, path_scratch_, req.path) == http::path_error::none;
}

bool exchange::is_deferred_pending() const noexcept {
  return deferral_ != nullptr && res->is_deferred() && !sent_in_handler_;
}

void exchange::deferred_sent() {
  if (step_ == step_wait::waiting) return step_decided(step_wait::answered);
  if (in_handler_) {
    // send() inside the handler itself: the pipeline finishes the exchange when it returns.
    sent_in_handler_ = true;
    return;
  }
  transport_->on_deferred_sent();
}

bool exchange::step_passed() {
  if (step_ != step_wait::waiting) return false;
  step_decided(step_wait::next);
  return true;
}

void exchange::step_decided(step_wait decision) {
  step_ = decision;
  // Decided inside on_request itself: the pipeline reads the decision when the step returns.
  if (!in_step_) transport_->on_step_decided();
}

policy::verdict exchange::take_step_verdict() noexcept {
  const step_wait decided = step_;
  step_ = step_wait::none;
  if (deferral_) {
    deferral_->cut();
    deferral_.reset();
  }
  return decided == step_wait::answered ? policy::verdict::answered : policy::verdict::next;
}

void exchange::wait_for_pool(std::function<void()> work, std::function<void()> then) {
  if (deferral_) deferral_->cut();  // a handler's, whose response has been sent
  deferral_ = std::make_shared<deferral>(worker_, *this);
  deferral* d = deferral_.get();  // alive while its callbacks run
  d->run_blocking(std::move(work), [d, then = std::move(then)] {
    if (!d->is_open()) return;  // the exchange ended while the pool worked
    then();
    d->send();
  });
}

bool exchange::send_interim(http::status code,
                            std::span<const std::pair<std::string_view, std::string_view>> fields) {
  // 101 changes the protocol and is never an interim answer here; 100 belongs to the server.
  if (!interim_allowed || code == http::status::switching_protocols ||
      code == http::status::continue_)
    return false;
  return transport_->write_interim(code, fields);
}

deferred_response exchange::make_deferred(response&) {
  if (deferral_) deferral_->cut();
  deferral_ = std::make_shared<deferral>(worker_, *this);
  if (in_step_) step_ = step_wait::waiting;
  return response_access::make_deferred(res, deferral_);
}

}  // namespace teapot::srv
