#include "server/ws_session.h"

#include <exception>
#include <utility>

#include "server/worker.h"
#include "ws/close_code.h"
#include "ws/frame_writer.h"
#include "ws/receive_error.h"
#include "ws/utf8_validator.h"

namespace teapot::srv {

namespace {

// Messages shorter than this go uncompressed even with permessage-deflate (RFC 7692 §6 lets
// each message choose): their deflate form would be as long, and costs a zlib call.
constexpr std::size_t compress_from = 64;

ws::reader_config reader_config_of(const ws_upgrade& up) {
  ws::reader_config c;
  c.local = ws::role::server;
  c.max_message = up.route->options.max_message;
  c.deflate = up.deflate;
  return c;
}

// RFC 6455 §7.4: what the route may ask to send; anything else goes as 1000.
std::uint16_t sendable(std::uint16_t code) noexcept {
  if (code == 1004 || code == 1005 || code == 1006 || code == 1015) return 1000;
  if ((code >= 1000 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return 1000;
}

}  // namespace

ws_session::ws_session(worker& w, ws_carrier& carrier, std::shared_ptr<ws_upgrade> upgrade)
    : worker_(w),
      carrier_(&carrier),
      upgrade_(std::move(upgrade)),
      handlers_(upgrade_->route->handlers),
      reader_(reader_config_of(*upgrade_)) {
  if (upgrade_->deflate) {
    const ws::deflate_params& p = *upgrade_->deflate;
    deflater_ = std::make_unique<ws::message_deflater>(p.server_max_window_bits,
                                                       p.server_no_context_takeover, 1, 8);
  }
}

ws_session::~ws_session() = default;

void ws_session::open() {
  last_input_ms_ = worker_.loop().now_ms();
  idle_timer_.set_callback([this] { on_idle_timer(); });
  if (handlers_.on_open) {
    ++in_feed_;
    try {
      handlers_.on_open(shared_from_this());
    } catch (const std::exception&) {
      queue_close(ws::to_int(ws::close_code::internal_error), {});
      over_ = true;
    }
    --in_feed_;
  }
  arm_idle(upgrade_->route->options.idle_timeout);
}

void ws_session::feed(std::span<char> bytes) {
  last_input_ms_ = worker_.loop().now_ms();
  ping_out_ = false;
  ++in_feed_;
  while (!over_) {
    const ws::message_event ev = reader_.read(bytes);
    bytes = bytes.subspan(ev.consumed);
    using kind = ws::message_event::kind;
    switch (ev.what) {
      case kind::need_more:
        --in_feed_;
        return;
      case kind::data:
        if (ev.first) {
          message_.clear();
          message_kind_ = ev.type == ws::opcode::binary ? message_kind::binary : message_kind::text;
        }
        message_.append(ev.payload);
        if (ev.last && handlers_.on_message) {
          try {
            handlers_.on_message(*this, message_, message_kind_);
          } catch (const std::exception&) {
            queue_close(ws::to_int(ws::close_code::internal_error), {});
            finish(ws::to_int(ws::close_code::internal_error), {});
          }
        }
        break;
      case kind::ping:
        // §5.5.3: a Pong with the Ping's payload, as soon as practical.
        if (!close_sent_) ws::append_pong(out_, ev.payload);
        break;
      case kind::pong:
        break;
      case kind::close:
        // §5.5.1: the client's Close is answered with one of the same code, unless this end
        // sent its own already; then the session is over.
        if (!close_sent_) queue_close(ev.code, {});
        finish(ev.code, ev.payload);
        break;
      case kind::failed: {
        // §7.1.7: fail the connection, saying why.
        const ws::close_code code = ws::to_close_code(ev.error);
        if (!close_sent_) queue_close(ws::to_int(code), ws::describe(ev.error));
        finish(ws::to_int(code), ws::describe(ev.error));
        break;
      }
    }
  }
  --in_feed_;
}

void ws_session::take_output(std::string& out) {
  if (out.empty()) {
    out.swap(out_);
  } else {
    out.append(out_);
    out_.clear();
  }
}

void ws_session::output_drained() {
  buffered_.store(0, std::memory_order_relaxed);
  if (!drain_wanted_ || over_ || !handlers_.on_drain) return;
  drain_wanted_ = false;
  try {
    handlers_.on_drain(*this);
  } catch (const std::exception&) {
    queue_close(ws::to_int(ws::close_code::internal_error), {});
    finish(ws::to_int(ws::close_code::internal_error), {});
  }
}

void ws_session::go_away() {
  if (over_) return;
  if (!close_sent_) queue_close(ws::to_int(ws::close_code::going_away), {});
  finish(ws::to_int(ws::close_code::going_away), {});
}

void ws_session::gone() noexcept {
  live_.store(false, std::memory_order_release);
  carrier_ = nullptr;
  over_ = true;
  worker_.loop().disarm(idle_timer_);
  if (closed_told_) return;
  closed_told_ = true;
  if (!handlers_.on_close) return;
  try {
    handlers_.on_close(*this, ws::to_int(ws::close_code::abnormal_closure), {});
  } catch (...) {  // nobody is left to tell
  }
}

bool ws_session::send(std::string_view data, message_kind kind) {
  if (!live_.load(std::memory_order_acquire)) return false;
  if (worker_.is_loop_thread()) {
    if (carrier_ == nullptr || close_sent_ || over_) return false;
    queue_message(data, kind);
    if (in_feed_ == 0) carrier_->ws_output_ready();
    return true;
  }
  on_loop([copy = std::string(data), kind](ws_session& s) { s.send(copy, kind); });
  return true;
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
  if (!live_.load(std::memory_order_acquire)) return;
  if (!worker_.is_loop_thread()) {
    on_loop([code, copy = std::string(reason)](ws_session& s) { s.close(code, copy); });
    return;
  }
  if (carrier_ == nullptr || close_sent_ || over_) return;
  queue_close(sendable(code), reason);
  if (in_feed_ == 0) carrier_->ws_output_ready();
}

void ws_session::queue_message(std::string_view data, message_kind kind) {
  const ws::opcode op = kind == message_kind::binary ? ws::opcode::binary : ws::opcode::text;
  const std::size_t before = out_.size();
  // RFC 7692 §7.2.1: compressed, the message is one frame with RSV1 set.
  if (deflater_ && data.size() >= compress_from) {
    scratch_.clear();
    if (deflater_->compress(data, true, scratch_)) {
      ws::append_frame(out_, op, scratch_, {.fin = true, .rsv1 = true});
      buffered_.fetch_add(out_.size() - before, std::memory_order_relaxed);
      drain_wanted_ = true;
      return;
    }
  }
  ws::append_frame(out_, op, data, {.fin = true, .rsv1 = false});
  buffered_.fetch_add(out_.size() - before, std::memory_order_relaxed);
  drain_wanted_ = true;
}

void ws_session::queue_close(std::uint16_t code, std::string_view reason) {
  close_sent_ = true;
  ws::append_close(out_, code, reason);
}

// The session is over: the route hears of it once, with the code and reason of the Close.
void ws_session::finish(std::uint16_t code, std::string_view reason) {
  over_ = true;
  worker_.loop().disarm(idle_timer_);
  if (closed_told_) return;
  closed_told_ = true;
  if (!handlers_.on_close) return;
  try {
    handlers_.on_close(*this, code, reason);
  } catch (const std::exception&) {  // the Close is on its way already
  }
}

void ws_session::arm_idle(std::chrono::milliseconds delay) noexcept {
  if (upgrade_->route->options.idle_timeout.count() > 0 && !over_ && carrier_ != nullptr)
    worker_.loop().arm(idle_timer_, delay);
}

// §5.5.2: a Ping "may serve ... as a keepalive or as a means to verify that the remote endpoint
// is still responsive"; a peer that is has to answer with a Pong (§5.5.3). One that does not
// is failed (§7.1.7: a Close first, with 1001 as the server is going away from it), without
// waiting for its Close, which would not come either.
void ws_session::on_idle_timer() {
  if (over_ || carrier_ == nullptr) return;
  const std::shared_ptr<ws_session> self = shared_from_this();  // the write may end the carrier
  const std::chrono::milliseconds idle = upgrade_->route->options.idle_timeout;
  const std::int64_t quiet = worker_.loop().now_ms() - last_input_ms_;
  if (quiet < idle.count()) return arm_idle(std::chrono::milliseconds(idle.count() - quiet));
  if (!ping_out_) {
    ping_out_ = true;
    last_input_ms_ = worker_.loop().now_ms();  // the answer has as long again
    if (!close_sent_) ws::append_ping(out_, {});
    arm_idle(idle);
  } else {
    constexpr std::string_view why = "idle timeout";
    if (!close_sent_) queue_close(ws::to_int(ws::close_code::going_away), why);
    finish(ws::to_int(ws::close_code::going_away), why);
  }
  carrier_->ws_output_ready();
}

void ws_session::on_loop(std::function<void(ws_session&)> fn) {
  worker_.loop().post([weak = weak_from_this(), fn = std::move(fn)] {
    if (std::shared_ptr<ws_session> s = weak.lock()) fn(*s);
  });
}

}  // namespace teapot::srv
