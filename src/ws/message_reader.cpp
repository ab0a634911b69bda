#include "ws/message_reader.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "ws/close_code.h"

namespace teapot::ws {

namespace {

using kind = message_event::kind;

message_event need_more(std::size_t consumed) noexcept {
  message_event ev;
  ev.consumed = consumed;
  return ev;
}

parser_config parser_for(const reader_config& c) noexcept {
  parser_config p;
  p.local = c.local;
  p.rsv1_allowed = c.deflate.has_value();
  return p;
}

// The compressed payload a message may carry: its inflated limit and an eighth more. DEFLATE
// expands incompressible data by far less; the bound stops a stream of empty blocks, which
// inflate to nothing, from keeping a message open for ever.
std::uint64_t compressed_limit(std::uint64_t max_message) noexcept {
  const std::uint64_t extra = max_message / 8 + 1024;
  return max_message > UINT64_MAX - extra ? UINT64_MAX : max_message + extra;
}

}  // namespace

message_reader::message_reader(const reader_config& config)
    : config_(config), parser_(parser_for(config)) {
  config_.inflate_buffer = std::max<std::size_t>(config_.inflate_buffer, 64);
}

message_reader::~message_reader() = default;

message_event message_reader::fail(receive_error e, std::size_t consumed) noexcept {
  done_ = true;
  message_event ev;
  ev.what = kind::failed;
  ev.consumed = consumed;
  ev.error = e;
  return ev;
}

message_event message_reader::read(std::span<char> in) {
  if (done_) return need_more(in.size());
  std::size_t used = 0;
  for (;;) {
    if (has_inflate_work()) {
      message_event ev = inflate_step({}, used);
      if (ev.what != kind::need_more) return ev;
      continue;
    }
    std::span<char> rest = in.subspan(used);
    // A compressed message's payload is taken no faster than the staging buffer can keep
    // what zlib leaves of it.
    if (in_message_ && compressed_)
      rest = rest.first(std::min(rest.size(), config_.inflate_buffer));
    const frame_event fe = parser_.parse(rest);
    used += fe.consumed;
    switch (fe.what) {
      case frame_event::kind::need_more:
        return need_more(used);
      case frame_event::kind::failed:
        return fail(fe.error, used);
      case frame_event::kind::header:
        if (auto e = on_header()) return fail(*e, used);
        continue;
      case frame_event::kind::payload: {
        message_event ev = on_payload(fe, used);
        if (ev.what != kind::need_more) return ev;
        continue;
      }
    }
  }
}

// RFC 6455 §5.4: a message is one text or binary frame and the continuation frames up to FIN;
// control frames may come between them, other messages may not.
std::optional<receive_error> message_reader::on_header() noexcept {
  const frame_header& h = parser_.header();
  if (is_control(h.op)) {
    control_size_ = 0;
    return std::nullopt;
  }
  if (h.op == opcode::continuation) {
    if (!in_message_) return receive_error::continuation_without_message;
  } else {
    if (in_message_) return receive_error::message_interrupted;
    in_message_ = true;
    type_ = h.op;
    compressed_ = h.rsv1;
    started_ = false;
    size_ = 0;
    wire_ = 0;
    utf8_.reset();
    if (compressed_ && !ensure_inflate_buffers()) return receive_error::inflate_unavailable;
  }
  final_frame_ = h.fin;
  // Judged from the headers, before the payload is awaited: the announced bytes past the limit
  // would be read for nothing.
  const std::uint64_t limit =
      compressed_ ? compressed_limit(config_.max_message) : config_.max_message;
  if (h.length > limit - std::min(wire_, limit)) return receive_error::message_too_big;
  wire_ += h.length;
  return std::nullopt;
}

message_event message_reader::on_payload(const frame_event& fe, std::size_t consumed) {
  const frame_header& h = parser_.header();
  if (is_control(h.op)) {
    if (fe.frame_end && control_size_ == 0) return on_control(fe.payload, consumed);
    fe.payload.copy(control_.data() + control_size_, fe.payload.size());
    control_size_ += fe.payload.size();
    if (!fe.frame_end) return need_more(consumed);
    return on_control({control_.data(), control_size_}, consumed);
  }
  const bool last = fe.frame_end && final_frame_;
  if (!compressed_) {
    size_ += fe.payload.size();
    return deliver(fe.payload, last, consumed);
  }
  finishing_ = last;
  return inflate_step(fe.payload, consumed);
}

// §5.5: Ping and Pong go up as they are; a Close frame's body is checked (§5.5.1, §7.4).
message_event message_reader::on_control(std::string_view payload, std::size_t consumed) noexcept {
  message_event ev;
  ev.consumed = consumed;
  ev.payload = payload;
  const opcode op = parser_.header().op;
  if (op == opcode::ping || op == opcode::pong) {
    ev.what = op == opcode::ping ? kind::ping : kind::pong;
    return ev;
  }
  if (payload.size() == 1) return fail(receive_error::bad_close_length, consumed);
  ev.what = kind::close;
  ev.code = to_int(close_code::no_status_received);
  if (payload.size() >= 2) {
    ev.code = static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 |
                                         static_cast<unsigned char>(payload[1]));
    if (!is_valid_received_code(ev.code)) return fail(receive_error::bad_close_code, consumed);
    ev.payload = payload.substr(2);
    if (!is_valid_utf8(ev.payload)) return fail(receive_error::invalid_close_reason, consumed);
  }
  done_ = true;
  return ev;
}

// A piece of the message, checked: text is UTF-8 up to here (§8.1, failing at the first byte
// that cannot be, as the Autobahn suite's fail-fast cases expect), and whole at the end.
message_event message_reader::deliver(std::string_view piece, bool last,
                                      std::size_t consumed) noexcept {
  if (type_ == opcode::text) {
    if (!utf8_.feed(piece)) return fail(receive_error::invalid_utf8, consumed);
    if (last && !utf8_.is_complete()) return fail(receive_error::invalid_utf8, consumed);
  }
  return emit(piece, last, consumed);
}

message_event message_reader::emit(std::string_view piece, bool last,
                                   std::size_t consumed) noexcept {
  if (piece.empty() && !last) return need_more(consumed);
  message_event ev;
  ev.what = kind::data;
  ev.consumed = consumed;
  ev.type = type_;
  ev.first = !started_;
  ev.last = last;
  ev.payload = piece;
  started_ = true;
  if (last) {
    in_message_ = false;
    compressed_ = false;
  }
  return ev;
}

bool message_reader::ensure_inflate_buffers() {
  if (!inflater_) {
    // §7.1.2.2, §7.1.1.2: the peer's window and context rule. A window under 9 bits is inflated
    // with 9: a zlib peer asked for 8 compresses with 9 (zlib raises it), and a larger window
    // inflates anything a smaller one made.
    const deflate_params& p = *config_.deflate;
    const bool peer_is_client = config_.local == role::server;
    const int bits = peer_is_client ? p.client_max_window_bits : p.server_max_window_bits;
    const bool reset = peer_is_client ? p.client_no_context_takeover : p.server_no_context_takeover;
    inflater_.reset(new (std::nothrow) message_inflater(std::max(bits, 9), reset));
    out_.reset(new (std::nothrow) char[config_.inflate_buffer]);
    staging_.reset(new (std::nothrow) char[config_.inflate_buffer]);
  }
  return inflater_ && out_ && staging_;
}

bool message_reader::has_inflate_work() const noexcept {
  return staged_at_ != staged_end_ || draining_ || finishing_;
}

// One call to zlib: on the payload just received, on the bytes staged from an earlier call, on
// nothing (to drain what zlib holds), or on the tail that ends the message. What zlib leaves of
// the payload received is staged, since the caller's buffer is the caller's after this call.
message_event message_reader::inflate_step(std::string_view direct, std::size_t consumed) {
  const std::span<char> out(out_.get(), config_.inflate_buffer);
  message_inflater::result r;
  if (!direct.empty()) {
    // read() drains staging_ before it parses more, so that it is empty here; and direct came
    // through a slice of at most inflate_buffer bytes, so that what is left of it fits.
    r = inflater_->inflate(direct, out);
    const std::string_view left = direct.substr(r.consumed);
    std::memcpy(staging_.get(), left.data(), left.size());
    staged_at_ = 0;
    staged_end_ = left.size();
  } else if (staged_at_ != staged_end_) {
    r = inflater_->inflate({staging_.get() + staged_at_, staged_end_ - staged_at_}, out);
    staged_at_ += r.consumed;
  } else if (draining_) {
    r = inflater_->inflate({}, out);
  } else if (finishing_) {
    r = inflater_->finish(out);
  } else {
    return need_more(consumed);
  }
  draining_ = r.produced == out.size();
  return check_inflated({out.data(), r.produced}, r, consumed);
}

// The failures an inflated piece can show, reported in the order of the message's bytes, so that
// the same input fails the same way however it was cut: a byte that is not UTF-8, then the byte
// past the limit (a deflate bomb stops there), then the point where the data stopped inflating
// (zlib gives what it inflated before it).
message_event message_reader::check_inflated(std::string_view piece,
                                             const message_inflater::result& r,
                                             std::size_t consumed) noexcept {
  const std::uint64_t room = config_.max_message - size_;
  const bool too_big = piece.size() > room;
  if (type_ == opcode::text && !utf8_.feed(too_big ? piece.substr(0, room) : piece)) {
    return fail(receive_error::invalid_utf8, consumed);
  }
  if (too_big) return fail(receive_error::message_too_big, consumed);
  size_ += piece.size();
  if (r.outcome == message_inflater::status::invalid_data) {
    return fail(receive_error::invalid_compressed_data, consumed);
  }
  if (r.outcome == message_inflater::status::no_memory) {
    return fail(receive_error::inflate_unavailable, consumed);
  }
  if (!r.message_done) return emit(piece, false, consumed);
  finishing_ = false;
  if (type_ == opcode::text && !utf8_.is_complete()) {
    return fail(receive_error::invalid_utf8, consumed);
  }
  return emit(piece, true, consumed);
}

}  // namespace teapot::ws
