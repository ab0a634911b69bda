#include "server/memory_transport.h"

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "h1/serializer.h"
#include "io/timer_wheel.h"
#include "server/h1_exchange.h"
#include "server/h1_response_stream.h"
#include "server/pipeline.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

// How long a deferred response or a waiting source may take before the run gives up.
constexpr std::chrono::seconds wait_limit{10};
// Content pulled from a source per pump: any size works, the output is a string.
constexpr std::size_t pump_budget = 64 * 1024;

}  // namespace

memory_transport::memory_transport(worker& w, std::string peer)
    : worker_(w),
      peer_(std::move(peer)),
      parser_(w.parser_config()),
      chunked_(w.parser_config()),
      ex_(w),
      token_(std::make_shared<wake_token>(wake_token{this})) {}

memory_transport::~memory_transport() {
  token_->transport = nullptr;
  ex_.end();
}

memory_transport::result memory_transport::run(std::string input, bool end_of_input) {
  if (!in_.empty()) throw std::logic_error("memory_transport::run: one input per transport");
  in_ = std::move(input);
  std::size_t at = 0;
  while (state_ == state::open) {
    const std::string_view pending = std::string_view(in_).substr(at);
    // Empty lines before a request are skipped (RFC 9112 §2.2): they are no message yet.
    if (pending.find_first_not_of("\r\n") == std::string_view::npos) {
      if (end_of_input) state_ = state::closed;
      break;
    }
    parser_.reset();
    const h1::parse_result r = parser_.parse(pending);
    if (r.outcome == h1::parse_result::kind::error) {
      reject_with(h1::to_status(r.error));
      break;
    }
    if (r.outcome == h1::parse_result::kind::need_more) {
      incomplete(end_of_input);
      break;
    }
    const std::size_t used = exchange_one(at, r.consumed, end_of_input);
    if (used == std::string::npos) break;
    at += used;
  }
  return {std::move(output_), state_};
}

std::size_t memory_transport::exchange_one(std::size_t at, std::size_t head_len,
                                           bool end_of_input) {
  const h1::request_head& h = parser_.head();
  keep_alive_ = h.keep_alive;
  ex_.begin(*this);
  if (!ex_.bind(h.method, h.target, h.version_minor, h.fields, peer_)) {
    reject_with(http::status::bad_request);
    return std::string::npos;
  }
  pipeline::after_head next = pipeline::on_head(ex_, h1_exchange::facts_of(h),
                                                worker_.options().limits, worker_.error_log());
  while (next == pipeline::after_head::pending) {
    run_loop_until_woken("a pipeline step's decision");
    next = pipeline::resume_steps(ex_, worker_.error_log());
  }
  switch (next) {
    case pipeline::after_head::pending:
    case pipeline::after_head::answered:
      // The announced content is not read: the connection cannot carry another request.
      if (h.framing != h1::body_framing::none) keep_alive_ = false;
      finish();
      return head_len;
    case pipeline::after_head::run_handler:
      dispatch();
      return head_len;
    case pipeline::after_head::read_content:
      break;
  }
  if (ex_.match.target && ex_.match.options.stream_body)
    throw std::logic_error("memory_transport: a route that streams its content");
  const std::string_view content = std::string_view(in_).substr(at + head_len);
  switch (h1_exchange::on_expect(h, ex_, !content.empty())) {
    case h1_exchange::expect_step::answer_now:
      keep_alive_ = false;
      dispatch();
      return head_len;
    case h1_exchange::expect_step::send_continue:
      h1::append_interim_head(out_.bytes(), http::status::continue_, [](auto&&) {});
      break;
    case h1_exchange::expect_step::none:
      break;
  }
  std::size_t used = 0;
  if (h.framing == h1::body_framing::content_length) {
    if (content.size() < h.content_length) return incomplete(end_of_input);
    used = static_cast<std::size_t>(h.content_length);
    ex_.req.body = content.substr(0, used);
  } else {
    chunked_.reset(ex_.body_max);
    const h1::chunked_decoder::result r = chunked_.decode(content, ex_.body);
    // A chunk size past the path's limit is refused as its line ends; the count is a backstop.
    if ((r.outcome == h1::parse_result::kind::error &&
         r.error == h1::parse_error::content_too_large) ||
        ex_.body.size() > ex_.body_max) {
      pipeline::refuse_content(ex_);
      keep_alive_ = false;
      finish();
      return std::string::npos;
    }
    if (r.outcome == h1::parse_result::kind::error) {
      reject_with(h1::to_status(r.error));
      return std::string::npos;
    }
    if (r.outcome != h1::parse_result::kind::done) return incomplete(end_of_input);
    used = r.consumed;
    ex_.req.body = ex_.body;
    ex_.req.trailers = chunked_.trailers();
  }
  dispatch();
  return head_len + used;
}

// A message cut short: the server waits for the rest, or, when the client has closed, lets
// it go unanswered (RFC 9112 §8).
std::size_t memory_transport::incomplete(bool end_of_input) {
  out_.drain_into(output_);
  state_ = end_of_input ? state::closed : state::waiting;
  return std::string::npos;
}

void memory_transport::dispatch() {
  pipeline::run_handler(ex_, worker_.error_log());
  if (ex_.is_deferred_pending()) run_loop_until_woken("a deferred response");
  finish();
}

void memory_transport::finish() {
  // A large file coded on the pool: the response goes on when it is.
  while (!pipeline::finish(ex_, worker_.now()))
    run_loop_until_woken("the coding of a large file");
  const response& res = *ex_.res;
  h1::head_params p = h1_exchange::head_of(ex_, keep_alive_);
  keep_alive_ = p.keep_alive;
  p.date = worker_.date();
  p.server = worker_.options().server_header;
  h1::append_response_head(out_.bytes(), p, [&res](auto&& emit) { res.for_each_header(emit); });
  const bool no_content = p.body == h1::body_kind::none || ex_.req.is_head();
  if (res.has_source()) {
    if (no_content)
      response_access::take_source(*ex_.res)->cancelled();
    else if (!send_from_source(p.body, p.content_length))
      keep_alive_ = false;
  } else if (!no_content && !h1_exchange::append_content(ex_, out_, p.body)) {
    keep_alive_ = false;
  }
  if (!out_.drain_into(output_)) keep_alive_ = false;
  ex_.end();
  if (!keep_alive_) state_ = state::closed;
}

bool memory_transport::send_from_source(h1::body_kind body, std::uint64_t length) {
  using framing = h1_response_stream::framing;
  const framing f = body == h1::body_kind::length    ? framing::length
                    : body == h1::body_kind::chunked ? framing::chunked
                                                     : framing::close_delimited;
  h1_response_stream stream;
  // wake() may come from any thread, and after this transport is gone.
  auto waker = [loop = &worker_.loop(), token = token_] {
    loop->post([token] {
      if (memory_transport* t = token->transport) {
        t->woken_ = true;
        t->worker_.loop().stop();
      }
    });
  };
  stream.begin(response_access::take_source(*ex_.res), f, length, std::move(waker));
  for (;;) {
    switch (stream.pump(out_.bytes(), pump_budget)) {
      case h1_response_stream::step::room:
        continue;
      case h1_response_stream::step::wait:
        run_loop_until_woken("a response source");
        stream.woken();
        continue;
      case h1_response_stream::step::ended:
        return true;
      case h1_response_stream::step::failed:
        return false;
    }
  }
}

void memory_transport::reject_with(http::status s) {
  // The message cannot be trusted (or never finished): answer, then end the connection.
  keep_alive_ = false;
  ex_.begin(*this);
  pipeline::answer_with(ex_, s);
  finish();
}

void memory_transport::run_loop_until_woken(const char* what) {
  io::event_loop& loop = worker_.loop();
  bool timed_out = false;
  io::timer guard([&] {
    timed_out = true;
    loop.stop();
  });
  loop.arm(guard, wait_limit);
  while (!woken_ && !timed_out)
    loop.run();
  loop.disarm(guard);
  woken_ = false;
  if (timed_out)
    throw std::runtime_error(std::string("memory_transport: ") + what + " did not come in time");
}

bool memory_transport::write_interim(
    http::status code, std::span<const std::pair<std::string_view, std::string_view>> fields) {
  if (state_ == state::closed || ex_.req.version_minor < 1) return false;
  h1::append_interim_head(out_.bytes(), code, [&](auto&& emit) {
    for (const auto& [name, value] : fields)
      emit(name, value);
  });
  return true;
}

void memory_transport::on_deferred_sent() {
  woken_ = true;
  worker_.loop().stop();
}

void memory_transport::on_step_decided() {
  woken_ = true;
  worker_.loop().stop();
}

}  // namespace teapot::srv
