// One request and its one final response, whatever carries them: HTTP/1.1 now, an HTTP/2
// stream next. A transport fills the request, the pipeline (pipeline.h) runs it, and the
// transport writes what the exchange ends with. The exchange owns what the handler sees (the
// request's derived views, the response) and the deferral that may outlive it.
// Thread contract: lives on its transport's loop thread; only its deferral_link is reached
// from other threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "server/representation.h"
#include "server/response_access.h"
#include "server/site_table.h"
#include "teapot/policy.h"
#include "teapot/request.h"
#include "teapot/response.h"
#include "teapot/router.h"

namespace teapot::srv {

class worker;
class exchange;

// What an exchange needs from the transport that carries it.
class exchange_transport {
 public:
  virtual ~exchange_transport() = default;
  // Writes a 1xx now, ahead of the final response. False when the client cannot take one.
  virtual bool write_interim(
      http::status code, std::span<const std::pair<std::string_view, std::string_view>> fields) = 0;
  // The response is ready (loop thread): a deferred handler has sent it, or the server's own
  // work on the pool is done (pipeline::finish said so). Write it and go on.
  virtual void on_deferred_sent() = 0;
  // A step that waited has decided (loop thread): carry on with pipeline::resume_steps.
  virtual void on_step_decided() = 0;
};

// Where a policy step's wait stands (policy::verdict::pending).
enum class step_wait : std::uint8_t {
  none,      // the step took no pending_verdict
  waiting,   // it took one, which has not decided yet
  next,      // it decided: on to the next step
  answered,  // it decided: the response is final
};

// The deferral of one exchange: deferred_response's way back to it from any thread.
class deferral final : public deferral_link, public std::enable_shared_from_this<deferral> {
 public:
  deferral(worker& w, exchange& ex);
  void send() override;
  void post(std::function<void()> fn) override;
  void run_after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  void run_blocking(std::function<void()> work, std::function<void()> then) override;
  void pass() override;
  bool is_open() const noexcept override { return open_.load(std::memory_order_acquire); }

  // Loop thread: the exchange has ended (or its client has gone); later calls reach nothing.
  // True when the response had not been sent: a handle may still read the request's views.
  bool cut() noexcept;
  // Keeps what the request's views point into alive until the last handle is gone.
  void keep(std::shared_ptr<void> memory) noexcept { keep_ = std::move(memory); }

 private:
  // Loop thread: runs fn unless the exchange has ended; a failure answers the exchange with a
  // 500 if it is still open.
  void run_guarded(const std::function<void()>& fn);
  void fail(std::string_view what);

  worker& worker_;
  exchange* ex_;  // loop thread only; null once cut
  std::atomic<bool> open_{true};
  // The sites the exchange began with: a callback may use state of a handler a reload replaced.
  std::shared_ptr<const site_set> sites_;
  std::shared_ptr<void> keep_;
};

class exchange final : public exchange_channel {
 public:
  explicit exchange(worker& w);
  ~exchange() override;
  exchange(const exchange&) = delete;
  exchange& operator=(const exchange&) = delete;

  // A new exchange on t (ending the last, if still open): the response is fresh, the sites
  // are the worker's current ones.
  void begin(exchange_transport& t);
  // Loop thread, when the final response has been written, or when the exchange is given up
  // (the client has gone, the content failed): a deferred response not sent by then is
  // abandoned, and its handles can no longer reach the exchange.
  void end() noexcept;
  // A response no abandoned handle can reach (a new one while a handle holds the last).
  void fresh_response();
  // The deferral abandoned by end(), if any: its handles may still read the request's views,
  // so the memory behind them must stay with it (deferral::keep) while they exist.
  std::shared_ptr<deferral> take_abandoned() noexcept { return std::move(abandoned_); }
  // Points the request at a parsed head and normalizes its path. False when the path cannot
  // be trusted (400). protocol: HTTP/2's :protocol (RFC 8441), whose CONNECT has a path.
  bool bind(std::string_view method, std::string_view target, int version_minor,
            std::span<const header_field> fields, std::string_view peer,
            std::string_view protocol = {});
  // Handlers that run inside this (the synchronous part of dispatch) may send their deferred
  // response before returning: the pipeline finishes it then.
  void enter_handler() noexcept {
    in_handler_ = true;
    sent_in_handler_ = false;
  }
  void leave_handler() noexcept { in_handler_ = false; }
  bool is_deferred_pending() const noexcept;
  bool is_in_handler() const noexcept { return in_handler_; }
  // The deferral's way in (loop thread): the response was sent.
  void deferred_sent();

  // A policy step runs between begin_step() and end_step(); a pending_verdict it makes is the
  // step's wait, and end_step() says where that stands. A wait that decides later calls the
  // transport's on_step_decided(); take_step_verdict() then reads the decision. Loop thread.
  void begin_step() noexcept {
    in_step_ = true;
    step_ = step_wait::none;
  }
  step_wait end_step() noexcept {
    in_step_ = false;
    return step_;
  }
  // The decision of the step's wait (next or answered); its handles reach nothing any more.
  policy::verdict take_step_verdict() noexcept;
  // The deferral's way in (loop thread): pending_verdict::next(). False when no step waits.
  bool step_passed();

  // The server's own wait on the pool (not a handler's): work on a pool thread, then `then` on
  // the loop thread and the transport's on_deferred_sent(), unless the exchange has ended by
  // then. A failure of work answers 500, as a handler's would.
  void wait_for_pool(std::function<void()> work, std::function<void()> then);

  // exchange_channel
  bool send_interim(http::status code,
                    std::span<const std::pair<std::string_view, std::string_view>> fields) override;
  deferred_response make_deferred(response& res) override;

  request req;
  router::match match;
  const site* site_of = nullptr;  // of this exchange; null before it is known (parse errors)
  // The sites site_of belongs to: a reload may publish new ones while this exchange runs.
  std::shared_ptr<const site_set> sites;
  std::shared_ptr<response> res;
  representation_plan plan;
  std::uint64_t body_max = 0;  // the body limit of the request's path
  std::string body;            // whole content that did not arrive with the head
  bool secure = false;         // it came over TLS (pipeline::head_facts::secure)
  bool interim_allowed = false;
  // Where the pipeline stands, kept across its waits.
  struct pipeline_progress {
    bool has_content = false;  // the head announced content
    std::size_t step_at = 0;   // the step running, or waiting
    // The representation is applied (its coding of a large file may wait for the pool).
    bool representation_applied = false;
    bool answered_by_step = false;  // the final response is the step_at's own
    // The site's forward proxy takes the request (a CONNECT, or an absolute-form target for
    // another authority): its steps run instead of the site's, and its handler as the route.
    bool forward = false;
  } progress;
  // The steps the request passes: the site's, or its forward proxy's. site_of must be set.
  const std::vector<std::shared_ptr<policy>>& steps() const noexcept {
    return progress.forward ? site_of->forward_proxy()->steps : site_of->policies();
  }
  // The step whose answer the response is, for the metrics; null when none answered.
  const policy* answered_by() const noexcept {
    if (!progress.answered_by_step || site_of == nullptr) return nullptr;
    const auto& all = steps();
    return progress.step_at < all.size() ? all[progress.step_at].get() : nullptr;
  }

 private:
  void step_decided(step_wait decision);

  worker& worker_;
  exchange_transport* transport_ = nullptr;
  std::shared_ptr<deferral> deferral_;
  std::shared_ptr<deferral> abandoned_;
  std::string path_scratch_;
  bool in_handler_ = false;
  bool sent_in_handler_ = false;
  bool in_step_ = false;
  step_wait step_ = step_wait::none;
};

}  // namespace teapot::srv
