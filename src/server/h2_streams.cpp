#include "server/h2_streams.h"

#include <algorithm>
#include <ctime>
#include <utility>

#include "base/ascii.h"
#include "base/monotonic_clock.h"
#include "h2/request_error.h"
#include "http/trailer_fields.h"
#include "server/h2_exchange.h"
#include "server/pipeline.h"
#include "server/response_access.h"
#include "server/worker.h"
#include "teapot/site.h"
#include "tls/session.h"

namespace teapot::srv {

namespace {

h2::session_config config_for(const worker& w) {
  h2::session_config c;
  c.limits = h2::head_limits(w.options().limits);
  return c;
}

}  // namespace

// --- h2_stream --------------------------------------------------------------------------------

h2_stream::h2_stream(h2_streams& owner, worker& w, h2::stream_id id)
    : owner_(&owner), worker_(w), id_(id), ex_(w) {}

h2_stream::~h2_stream() {
  if (source_) response_access::set_waker(*source_, {});
}

// The request's views point here, not into the session, whose storage goes with the stream:
// a deferred handle may outlive it. Host comes from :authority (RFC 9113 §8.3.1), so that a
// handler reads it as on HTTP/1.1.
void h2_stream::copy_head(const h2::request_head& h) {
  bool has_host = false;
  std::size_t total = h.method.size() + h.path.size() + h.authority.size() + h.protocol.size() + 4;
  for (const header_field& f : h.fields) {
    total += f.name.size() + f.value.size();
    has_host = has_host || f.name == "host";
  }
  text_.clear();
  text_.reserve(total);  // no reallocation below: the views stay valid
  const auto keep = [this](std::string_view s) {
    const std::size_t at = text_.size();
    text_.append(s);
    return std::string_view(text_).substr(at, s.size());
  };
  fields_.clear();
  fields_.reserve(h.fields.size() + 1);
  const std::string_view method = keep(h.method);
  const std::string_view path = keep(h.path);
  const std::string_view authority = keep(h.authority);
  const std::string_view protocol = keep(h.protocol);
  if (!has_host && !authority.empty()) fields_.push_back({keep("host"), authority});
  for (const header_field& f : h.fields) {
    fields_.push_back({keep(f.name), keep(f.value)});
    if (f.name == "expect") http::note_expectations(f.value, expect_);
  }
  head_method_ = method;
  head_path_ = path;
  ex_.req.method = method;
  ex_.req.target = path;
  ex_.req.protocol = protocol;
  ex_.req.headers = fields_;
}

void h2_stream::take_up(pipeline::after_head next) {
  error_log& log = worker_.error_log();
  switch (next) {
    case pipeline::after_head::answered:
      return respond();
    case pipeline::after_head::run_handler:
      return dispatch();
    case pipeline::after_head::pending:
      phase_ = phase::head;  // on_step_decided() goes on; content waits in ex_.body
      return;
    case pipeline::after_head::read_content:
      break;
  }
  if (ex_.match.target && ex_.match.options.stream_body) {
    phase_ = phase::streaming;
    waiting_ = std::move(ex_.body);  // what came while a step waited, not consumed yet
    ex_.body.clear();
    received_ = waiting_.size();
    ex_.req.body_stream = this;
    pipeline::run_handler(ex_, log);
    if (!ex_.is_deferred_pending()) {
      // Answered before the content: the rest is dropped as it comes.
      reader_ = {};
      return respond();
    }
    return deliver();
  }
  phase_ = phase::content;
  if (!ex_.body.empty())
    owner_->session_.consume(id_, ex_.body.size());  // came while a step waited
  if (expect_.continue_100 && ex_.body.empty() && !client_ended_) {
    // RFC 9110 §10.1.1: without a route the final status comes at once, instead of 100.
    if (ex_.match.target == nullptr) return dispatch();
    owner_->session_.submit_interim(id_, http::status::continue_, {});
  }
  if (client_ended_) content_ended();
}

void h2_stream::dispatch() {
  phase_ = phase::handling;
  pipeline::run_handler(ex_, worker_.error_log());
  if (ex_.is_deferred_pending()) return;  // on_deferred_sent() goes on
  respond();
}

void h2_stream::respond() {
  if (owner_ == nullptr) return;
  phase_ = phase::handling;
  if (!pipeline::finish(ex_, worker_.now())) return;  // the pool codes a file first
  phase_ = phase::answered;
  reader_ = {};
  // Content that waited for a reader is not wanted any more: its window reopens.
  if (!waiting_.empty()) {
    owner_->session_.consume(id_, waiting_.size());
    waiting_.clear();
  }
  response& res = *ex_.res;
  const http::status status = res.status();
  if (status == http::status::ok && !ex_.req.protocol.empty() && response_access::upgrade(res))
    return open_tunnel(std::make_unique<h2_ws_tunnel>(worker_, response_access::take_upgrade(res),
                                                      [this] { tunnel_woken(); }));
  if (status == http::status::ok && asks_for_tunnel() && response_access::tunnel(res)) {
    std::unique_ptr<h2_connect_tunnel> tunnel;
    try {
      tunnel = std::make_unique<h2_connect_tunnel>(
          worker_, response_access::take_tunnel(res), [this] { tunnel_woken(); },
          [weak = weak_from_this()] {
            if (std::shared_ptr<h2_stream> s = weak.lock(); s && s->owner_ != nullptr) {
              s->owner_->session_.reset_stream(s->id_, h2::error_code::connect_error);
              s->owner_->output_ready();
            }
          });
    } catch (const std::exception& e) {  // the loop could not watch the destination's socket
      worker_.log(log_level::error, std::string("forward proxy: the tunnel failed: ") + e.what());
      owner_->session_.reset_stream(id_, h2::error_code::connect_error);
      ex_.end();
      return;
    }
    return open_tunnel(std::move(tunnel));
  }
  // A CONNECT answered without a tunnel: what the client sent for it is not wanted.
  if (asks_for_tunnel() && !ex_.body.empty()) {
    owner_->session_.consume(id_, ex_.body.size());
    ex_.body.clear();
  }
  h2_exchange::head_fields(ex_, worker_.date(), worker_.options().server_header, head_scratch_,
                           head_fields_);
  const bool no_content = h2_exchange::has_no_content(ex_);
  h2::response_body body = h2::no_body{};
  std::uint64_t length = 0;
  if (res.has_source()) {
    // The length first: once the source is taken, the response has none but its bytes'.
    const std::optional<std::uint64_t> known =
        res.length_unknown() ? std::nullopt : std::optional(res.content_length());
    std::shared_ptr<body_source> source = response_access::take_source(res);
    if (no_content) {
      source->cancelled();
    } else {
      source_ = std::move(source);
      source_left_ = known;
      response_access::set_waker(*source_, [w = &worker_, weak = weak_from_this()] {
        w->loop().post([weak] {
          if (std::shared_ptr<h2_stream> s = weak.lock()) s->source_woken();
        });
      });
      body = h2::pull_source([this](std::span<char> buffer) { return pull_source(buffer); });
    }
  } else if (!no_content) {
    body = h2_exchange::content_of(ex_, length);
  }
  if (!owner_->session_.submit_response(id_, status, head_fields_, std::move(body))) {
    // The session cannot frame this head: the stream is reset rather than left unanswered
    // (RFC 9113 §5.4.2), and a source is told its content will not be read.
    if (source_) {
      response_access::set_waker(*source_, {});
      std::exchange(source_, nullptr)->cancelled();
    }
    owner_->session_.reset_stream(id_, h2::error_code::internal_error);
  }
  if (!source_) owner_->account(*this, status, length);
  ex_.end();
}

// RFC 8441 §5, RFC 9113 §8.5: the 200 goes with the stream still open, its content the
// tunnel's bytes (a WebSocket's frames, a destination's bytes), pulled as they come; no
// content-length (RFC 9110 §8.6). What the client sent while the pipeline ran is its first.
void h2_stream::open_tunnel(std::unique_ptr<h2_stream_tunnel> tunnel) {
  phase_ = phase::tunnel;
  h2_exchange::head_fields(ex_, worker_.date(), worker_.options().server_header, head_scratch_,
                           head_fields_);
  tunnel_ = std::move(tunnel);
  h2::session& session = owner_->session_;
  if (!session.submit_response(
          id_, http::status::ok, head_fields_,
          h2::pull_source([this](std::span<char> buffer) { return pull_tunnel(buffer); }))) {
    tunnel_.reset();
    session.reset_stream(id_, h2::error_code::internal_error);
    ex_.end();
    return;
  }
  owner_->account(*this, http::status::ok, 0);
  ex_.end();
  tunnel_->open();
  if (!ex_.body.empty()) {
    const std::string early = std::move(ex_.body);
    ex_.body.clear();
    session.consume(id_, tunnel_->feed(early));
  }
  if (client_ended_) tunnel_->client_ended();
}

h2::pull_result h2_stream::pull_tunnel(std::span<char> buffer) {
  const h2::pull_result r = tunnel_->pull(buffer);
  bytes_out_ += r.length;
  if (const std::size_t n = tunnel_->take_releasable(); n > 0 && owner_ != nullptr)
    owner_->session_.consume(id_, n);
  return r;
}

void h2_stream::tunnel_woken() {
  if (owner_ == nullptr) return;
  const std::shared_ptr<h2_stream> self = shared_from_this();  // the write may close it
  owner_->session_.resume(id_);
  owner_->output_ready();
}

void h2_stream::content_arrived(std::string_view bytes) {
  h2::session& session = owner_->session_;
  content_moved_ms_ = worker_.loop().now_ms();
  switch (phase_) {
    case phase::tunnel:
      session.consume(id_, tunnel_->feed(bytes));
      session.resume(id_);  // the frames it answered with
      return;
    case phase::head:
    case phase::handling:
      if (asks_for_tunnel()) {
        // RFC 9113 §8.5: a CONNECT's DATA are the tunnel's bytes, sent before its 200 by a client
        // that does not wait: kept (the stream's window bounds them) for open_tunnel(), or
        // given back to the window if the answer opens no tunnel.
        ex_.body.append(bytes);
        return;
      }
      if (phase_ == phase::handling) {
        session.consume(id_, bytes.size());  // content no longer wanted
        return;
      }
      [[fallthrough]];
    case phase::content:
      // content-length past the limit was refused from the head; this counts the rest.
      if (ex_.body.size() + bytes.size() > ex_.body_max) {
        // All of it goes: what waited unconsumed for a step, and these bytes.
        const std::size_t unconsumed = phase_ == phase::head ? ex_.body.size() : 0;
        session.consume(id_, unconsumed + bytes.size());
        pipeline::refuse_content(ex_);
        return respond();
      }
      ex_.body.append(bytes);
      // While a step waits, the window stays shut: the route may stream what came meanwhile.
      if (phase_ == phase::content) session.consume(id_, bytes.size());
      return;
    case phase::streaming:
      received_ += bytes.size();
      if (received_ > ex_.body_max) {
        session.consume(id_, bytes.size());
        fail_content(body_error::too_large);
        pipeline::refuse_content(ex_);
        return respond();
      }
      // Consumed as the handler takes it: its window stays shut while it holds a piece.
      waiting_.append(bytes);
      return deliver();
    case phase::answered:
      session.consume(id_, bytes.size());  // content no longer wanted
      return;
  }
}

void h2_stream::content_ended() {
  client_ended_ = true;
  switch (phase_) {
    case phase::content:
      ex_.req.body = ex_.body;
      ex_.req.trailers = trailers_;
      return dispatch();
    case phase::streaming:
      return deliver();
    case phase::tunnel:
      tunnel_->client_ended();
      owner_->session_.resume(id_);
      return;
    case phase::head:  // a step waits: take_up() finds the content complete
    case phase::handling:
    case phase::answered:
      return;
  }
}

// Hands the handler what waits, piece by piece, while it takes them; then the end.
void h2_stream::deliver() {
  while (phase_ == phase::streaming && reading_ && !holding_ && !delivering_) {
    if (waiting_.empty()) {
      if (!client_ended_ || reader_done_) return;
      reader_done_ = true;
      // The callbacks go with the call: what they hold (a deferred response) is not kept by
      // the stream after the end.
      const callbacks cb = std::move(reader_);
      reader_ = {};
      delivering_ = true;
      const bool ok = call_handler([&] {
        if (cb.on_end) cb.on_end(trailers_);
      });
      delivering_ = false;
      if (!ok) return;
    } else {
      held_ = std::move(waiting_);
      waiting_.clear();
      delivering_ = true;
      flow f = flow::more;
      const bool ok = call_handler([&] {
        if (reader_.on_data) f = reader_.on_data(held_);
      });
      delivering_ = false;
      if (!ok) return;
      if (f == flow::hold) {
        holding_ = true;
      } else {
        if (owner_) owner_->session_.consume(id_, held_.size());
        held_.clear();
      }
    }
    // The handler sent its response from a callback: it goes now.
    if (phase_ == phase::streaming && response_ready_) {
      reader_ = {};
      return respond();
    }
  }
}

// A reader's callback that throws fails the exchange as a throwing handler does (500, or a
// reset once the response is out), rather than unwinding through nghttp2's C frames.
bool h2_stream::call_handler(const std::function<void()>& fn) {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    worker_.error_log().write(
        log_level::error, "a body reader of " + std::string(ex_.req.path) + " failed: " + e.what());
  } catch (...) {
    worker_.error_log().write(log_level::error, "a body reader failed");
  }
  reader_ = {};
  reader_done_ = true;
  if (owner_ != nullptr && phase_ != phase::answered) {
    ex_.fresh_response();
    ex_.res->error(http::status::internal_server_error);
    respond();
  }
  return false;
}

void h2_stream::end_hold() {
  if (!holding_ || owner_ == nullptr) return;
  const std::shared_ptr<h2_stream> self = shared_from_this();
  holding_ = false;
  owner_->session_.consume(id_, held_.size());
  held_.clear();
  deliver();
  if (owner_ != nullptr) owner_->output_ready();
}

void h2_stream::fail_content(body_error e) {
  if (!reading_ || reader_done_) return;
  reader_done_ = true;
  callbacks cb = std::move(reader_);
  reader_ = {};
  if (cb.on_error && !delivering_) cb.on_error(e);
}

void h2_stream::read(callbacks cb) {
  if (reading_) return;  // one delivery per request, as on HTTP/1.1
  const std::shared_ptr<h2_stream> self = shared_from_this();
  reader_ = std::move(cb);
  reading_ = true;
  // The 100 waits until the handler reads: one that answers from the head saves the upload.
  if (expect_.continue_100 && received_ == 0 && waiting_.empty() && !client_ended_ && owner_) {
    expect_.continue_100 = false;
    owner_->session_.submit_interim(id_, http::status::continue_, {});
    owner_->output_ready();
  }
  if (!delivering_) deliver();
}

void h2_stream::resume() {
  worker_.loop().post([weak = weak_from_this()] {
    if (std::shared_ptr<h2_stream> s = weak.lock()) s->end_hold();
  });
}

bool h2_stream::write_interim(
    http::status code, std::span<const std::pair<std::string_view, std::string_view>> fields) {
  if (owner_ == nullptr || phase_ == phase::answered) return false;
  const std::shared_ptr<h2_stream> self = shared_from_this();
  std::vector<header_field> list;
  list.reserve(fields.size());
  for (const auto& [name, value] : fields)
    list.push_back({name, value});
  if (!owner_->session_.submit_interim(id_, code, list)) return false;
  owner_->output_ready();
  return true;
}

void h2_stream::on_deferred_sent() {
  if (owner_ == nullptr || phase_ == phase::answered) return;
  const std::shared_ptr<h2_stream> self = shared_from_this();
  if (delivering_) {
    response_ready_ = true;  // from inside on_data or on_end: deliver() takes it up
    return;
  }
  // Answered before the content was complete: the rest is not wanted (no error to the reader,
  // as on HTTP/1.1).
  reader_ = {};
  reader_done_ = true;
  respond();
  if (owner_ != nullptr) owner_->output_ready();
}

void h2_stream::on_step_decided() {
  if (owner_ == nullptr || phase_ != phase::head) return;
  const std::shared_ptr<h2_stream> self = shared_from_this();
  take_up(pipeline::resume_steps(ex_, worker_.error_log()));
  if (owner_ != nullptr) owner_->output_ready();
}

h2::pull_result h2_stream::pull_source(std::span<char> buffer) {
  // Failed: nothing more, and never an end, until the reset queued for it goes out.
  if (source_failed_) return {0, h2::pull_state::wait};
  if (!source_) return {0, h2::pull_state::ended};
  // With a known length the source never sees room past it, and an empty room once it is all
  // out (body_source's contract, as on HTTP/1.1).
  const std::span<char> into = source_left_
                                   ? buffer.first(static_cast<std::size_t>(
                                         std::min<std::uint64_t>(buffer.size(), *source_left_)))
                                   : buffer;
  body_source::pulled p;
  try {
    p = source_->pull(into);
  } catch (...) {
    p = {0, body_source::next::fail};
  }
  const std::size_t n = std::min(p.size, into.size());
  bytes_out_ += n;
  if (source_left_) *source_left_ -= n;
  if (source_left_ && p.then == body_source::next::more && into.empty())
    p.then = body_source::next::fail;  // content past its length
  if (source_left_ && p.then == body_source::next::end && *source_left_ > 0)
    p.then = body_source::next::fail;  // content short of its length
  switch (p.then) {
    case body_source::next::more:
      if (n == 0) {
        // Nothing now but more to come: ask again on the loop's next turn (an empty DATA
        // frame would say nothing, and nghttp2 waits for a resume).
        worker_.loop().post([weak = weak_from_this()] {
          if (std::shared_ptr<h2_stream> s = weak.lock()) s->source_woken();
        });
        return {0, h2::pull_state::wait};
      }
      return {n, h2::pull_state::more};
    case body_source::next::wait:
      return {n, h2::pull_state::wait};
    case body_source::next::end: {
      std::vector<std::pair<std::string, std::string>> trailers;
      try {
        source_->trailers(trailers);
      } catch (...) {
        trailers.clear();  // the content is whole: it goes without them
      }
      if (!trailers.empty() && owner_) {
        std::vector<header_field> list;
        for (const auto& [name, value] : trailers)
          if (http::may_trail(name, value)) list.push_back({name, value});
        owner_->session_.submit_trailers(id_, list);
      }
      response_access::set_waker(*source_, {});
      source_.reset();
      if (owner_) owner_->account(*this, ex_.res->status(), bytes_out_);
      return {n, h2::pull_state::ended};
    }
    case body_source::next::fail:
      break;
  }
  // The content cannot be completed: the stream is reset once the session is out of this
  // call (RFC 9113 §8.1: a response cut short is not sent as complete).
  source_failed_ = true;
  response_access::set_waker(*source_, {});
  source_.reset();
  if (owner_) owner_->resets_.push_back(id_);
  return {n, n > 0 ? h2::pull_state::more : h2::pull_state::wait};
}

void h2_stream::source_woken() {
  if (owner_ == nullptr || !source_) return;
  owner_->session_.resume(id_);
  owner_->output_ready();
}

// --- h2_streams -------------------------------------------------------------------------------

h2_streams::h2_streams(worker& w, h2_carrier& carrier, std::string_view peer,
                       const tls::session* tls)
    : worker_(w), carrier_(carrier), peer_(peer), tls_(tls), session_(*this, config_for(w)) {}

h2_streams::~h2_streams() {
  close_all();
}

h2::feed_result h2_streams::feed(std::string_view bytes) {
  ++in_session_;
  const h2::feed_result r = session_.feed(bytes);
  --in_session_;
  return r;
}

bool h2_streams::upgrade(std::string_view settings, const h2::request_head& head) {
  ++in_session_;
  const bool ok = session_.upgrade_from_h1(settings, head);
  --in_session_;
  return ok;
}

void h2_streams::take_output(std::string& out, std::size_t max) {
  ++in_session_;
  session_.take_output(out, max);
  --in_session_;
  if (resets_.empty()) return;
  std::vector<h2::stream_id> ids;
  ids.swap(resets_);
  for (const h2::stream_id id : ids)
    session_.reset_stream(id, h2::error_code::internal_error);
}

void h2_streams::output_ready() {
  if (in_session_ == 0) carrier_.h2_output_ready();
}

h2_stream* h2_streams::find(h2::stream_id id) noexcept {
  const auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

std::shared_ptr<h2_stream> h2_streams::open(h2::stream_id id) {
  auto s = std::make_shared<h2_stream>(*this, worker_, id);
  streams_[id] = s;
  s->since_ms_ = base::monotonic_ms();
  s->content_moved_ms_ = worker_.loop().now_ms();
  s->ex_.begin(*s);
  return s;
}

void h2_streams::on_request(h2::stream_id id, const h2::request_head& head) {
  std::shared_ptr<h2_stream> s = open(id);
  s->copy_head(head);
  s->client_ended_ = head.ends_stream;
  exchange& ex = s->ex_;
  const request copied = ex.req;
  // CONNECT has no :path (RFC 9113 §8.5): its target is the authority, as on HTTP/1.1. An
  // extended CONNECT (RFC 8441 §4) has one.
  const bool tunnel = copied.method == "CONNECT" && !copied.protocol.empty();
  const std::string_view target =
      copied.method == "CONNECT" && !tunnel ? ex.req.header("host").value_or("") : copied.target;
  // What the HTTP/1.1 codec decides from a head, decided alike: a method the server does not
  // know (501, RFC 9110 §9.1) and an expectation it cannot meet (417).
  const auto& known = worker_.options().methods;
  if (std::find(known.begin(), known.end(), copied.method) == known.end()) {
    pipeline::answer_with(ex, http::status::not_implemented);
    return s->respond();
  }
  if (s->expect_.other) {
    pipeline::answer_with(ex, http::status::expectation_failed);
    return s->respond();
  }
  if (!ex.bind(copied.method, target, 1, copied.headers, peer_, copied.protocol)) {
    pipeline::answer_with(ex, http::status::bad_request);
    return s->respond();
  }
  ex.req.version_major = 2;
  pipeline::head_facts facts = h2_exchange::facts_of(head);
  facts.secure = tls_ != nullptr;
  facts.early = early_input_;
  if (!head.authority.empty()) facts.authority = ex.req.header("host").value_or(std::string_view{});
  // RFC 9113 §9.1.1: a connection may carry requests for every origin its certificate covers,
  // and only those (421 for the others, RFC 9110 §15.5.20). A CONNECT's authority is the
  // tunnel's destination (§8.5), no origin of this server: a forward proxy takes it.
  const bool tunnel_to = head.method == "CONNECT" && head.protocol.empty();
  if (tls_ && !facts.authority.empty() && !tunnel_to)
    facts.misdirected = !tls_->covers(host_without_port(facts.authority));
  s->take_up(pipeline::on_head(ex, facts, worker_.options().limits, worker_.error_log()));
}

void h2_streams::on_request_rejected(h2::stream_id id, h2::request_error why,
                                     const h2::request_head& partial) {
  std::shared_ptr<h2_stream> s = open(id);
  s->copy_head(partial);
  s->client_ended_ = partial.ends_stream;
  pipeline::answer_with(s->ex_, h2::to_status(why));
  s->respond();
}

void h2_streams::on_data(h2::stream_id id, std::string_view bytes) {
  if (h2_stream* s = find(id)) {
    s->content_arrived(bytes);
  } else {
    session_.consume(id, bytes.size());
  }
}

void h2_streams::on_trailers(h2::stream_id id, std::span<const header_field> fields) {
  h2_stream* s = find(id);
  if (s == nullptr) return;
  std::size_t total = 0;
  for (const header_field& f : fields)
    total += f.name.size() + f.value.size();
  s->trailer_text_.reserve(total);
  for (const header_field& f : fields) {
    const std::size_t at = s->trailer_text_.size();
    s->trailer_text_.append(f.name).append(f.value);
    const std::string_view all(s->trailer_text_);
    s->trailers_.push_back({all.substr(at, f.name.size()), all.substr(at + f.name.size())});
  }
}

void h2_streams::on_end_stream(h2::stream_id id) {
  if (h2_stream* s = find(id)) s->content_ended();
}

void h2_streams::on_stream_reset(h2::stream_id id, h2::error_code) {
  h2_stream* s = find(id);
  if (s == nullptr) return;
  // The client wants nothing more: a response sent from here on goes nowhere.
  s->phase_ = h2_stream::phase::answered;
  if (s->tunnel_) s->tunnel_->gone();  // RFC 8441 §5: the TCP RST of the WebSocket
  s->fail_content(body_error::client_gone);
  if (s->source_) {
    std::shared_ptr<body_source> source = std::move(s->source_);
    response_access::set_waker(*source, {});
    source->cancelled();
  }
}

void h2_streams::on_stream_closed(h2::stream_id id, h2::error_code) {
  const auto it = streams_.find(id);
  if (it == streams_.end()) return;
  std::shared_ptr<h2_stream> s = std::move(it->second);
  streams_.erase(it);
  let_go(std::move(s));
}

void h2_streams::sweep(std::int64_t now_ms, std::chrono::milliseconds body_timeout,
                       std::chrono::milliseconds send_timeout) {
  std::vector<std::shared_ptr<h2_stream>> late;
  std::vector<h2::stream_id> stalled;
  for (const auto& [id, s] : streams_) {
    const bool waits_for_client =
        !s->client_ended_ && (s->phase_ == h2_stream::phase::content ||
                              (s->phase_ == h2_stream::phase::streaming && !s->holding_));
    if (waits_for_client && now_ms - s->content_moved_ms_ >= body_timeout.count())
      late.push_back(s);
    // RFC 9113 §6.9 lets a client keep its window shut; a server need not keep the stream
    // for it without end (the "zero window held forever" of the slow-read attacks).
    const bool sending =
        s->phase_ == h2_stream::phase::answered || s->phase_ == h2_stream::phase::tunnel;
    if (!sending || !session_.held_by_window(id)) {
      s->window_shut_ms_ = -1;
    } else if (s->window_shut_ms_ < 0) {
      s->window_shut_ms_ = now_ms;
    } else if (now_ms - s->window_shut_ms_ >= send_timeout.count()) {
      stalled.push_back(id);
    }
  }
  for (const std::shared_ptr<h2_stream>& s : late) {
    if (s->owner_ == nullptr || s->phase_ == h2_stream::phase::answered) continue;
    s->fail_content(body_error::timeout);
    s->ex_.fresh_response();
    s->ex_.res->error(http::status::request_timeout);
    s->respond();
  }
  for (const h2::stream_id id : stalled)
    session_.cut_stalled(id);
}

// Often enough that a stalled response is cut between send_timeout and 1.5 × send_timeout
// after the window shut.
std::chrono::milliseconds h2_streams::sweep_interval(std::chrono::milliseconds body_timeout,
                                                     std::chrono::milliseconds send_timeout) {
  return std::max(std::chrono::milliseconds(1), std::min(body_timeout, send_timeout / 2));
}

void h2_streams::close_all() noexcept {
  std::unordered_map<h2::stream_id, std::shared_ptr<h2_stream>> streams;
  streams.swap(streams_);
  for (auto& [id, s] : streams)
    let_go(std::move(s));
}

// The stream is over for the connection: its reader and source are told, its exchange ends,
// and a deferred handle that may still read the request's views keeps them alive.
void h2_streams::let_go(std::shared_ptr<h2_stream> s) noexcept {
  // Cut first: a reader or source told below may send the deferred response, which must
  // reach nothing now.
  s->owner_ = nullptr;
  s->ex_.end();
  if (s->tunnel_) s->tunnel_->gone();
  if (!s->delivering_) {
    try {
      s->fail_content(body_error::client_gone);
    } catch (...) {  // a reader's on_error that throws: nobody is left to answer
    }
    s->reader_ = {};
  }
  if (s->source_) {
    std::shared_ptr<body_source> source = std::move(s->source_);
    response_access::set_waker(*source, {});
    source->cancelled();
  }
  std::shared_ptr<deferral> abandoned = s->ex_.take_abandoned();
  if (abandoned && abandoned.use_count() > 1) abandoned->keep(std::move(s));
}

// The frames go with the caller's next write: a write from here could close a stream, and
// so change streams_, under the loop.
void h2_streams::shutdown_notice() {
  session_.shutdown_notice();
  ++in_session_;
  for (const auto& [id, s] : streams_)
    if (s->tunnel_) s->tunnel_->go_away();
  --in_session_;
}

std::string h2_streams::first_request() const {
  std::string line;
  for (const auto& [id, s] : streams_) {
    if (s->ex_.req.method.empty()) continue;
    line.append(s->ex_.req.method).append(" ").append(s->ex_.req.target);
    break;
  }
  return line;
}

void h2_streams::account(h2_stream& s, http::status status, std::uint64_t bytes) {
  if (s.accounted_) return;
  s.accounted_ = true;
  const exchange& ex = s.ex_;
  if (worker_.counts_metrics()) {
    counted_response r;
    r.where = ex.site_of;
    r.code = static_cast<int>(status);
    r.method = ex.req.method;
    r.bytes_in = ex.body.size() + s.received_;
    r.bytes_out = bytes;
    r.duration_ms = std::max<std::int64_t>(0, base::monotonic_ms() - s.since_ms_);
    r.answered_by = ex.answered_by();
    r.path = ex.req.path;
    r.at_ms = worker_.loop().now_ms();
    worker_.metrics().count(r);
  }
  if (worker_.logs_access()) log_access(s, status, bytes);
}

void h2_streams::log_access(const h2_stream& s, http::status status, std::uint64_t bytes) {
  const request& req = s.ex_.req;
  // answer_with() forgets a refused request: the log reads its head as it came.
  const std::string_view method = req.method.empty() ? s.head_method_ : req.method;
  const std::string_view target = req.method.empty() ? s.head_path_ : req.target;
  std::string line;
  if (!method.empty()) line.append(method).append(" ").append(target).append(" HTTP/2.0");
  access_entry e;
  e.client = peer_;
  e.time = worker_.now();
  e.status = static_cast<int>(status);
  e.bytes = bytes;
  e.duration_ms =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, base::monotonic_ms() - s.since_ms_));
  e.request_line = line;
  e.method = method;
  e.target = target;
  e.protocol = "HTTP/2.0";
  e.host = req.header("host").value_or(std::string_view{});
  e.referer = req.header("referer").value_or(std::string_view{});
  e.user_agent = req.header("user-agent").value_or(std::string_view{});
  worker_.log_access(e);
}

}  // namespace teapot::srv
