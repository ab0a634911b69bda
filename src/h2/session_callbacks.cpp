// Frames to events. nghttp2 has validated each frame before these run (RFC 9113 §4-§6, and the
// HTTP messaging rules of §8 that it enforces); what is left here is the session's share:
// limits on the head, the two checks of §8.3.1 nghttp2 omits, the protections and their
// counters, and the owner's flow control.
#include "h2/session_callbacks.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string_view>

#include "h2/session_stream.h"

namespace teapot::h2 {

namespace {

session& self_of(void* user) noexcept {
  return *static_cast<session*>(user);
}

std::string_view text(const std::uint8_t* p, std::size_t n) noexcept {
  return {reinterpret_cast<const char*>(p), n};
}

}  // namespace

void session::callbacks::install(nghttp2_session_callbacks* cbs) noexcept {
  nghttp2_session_callbacks_set_on_begin_frame_callback(cbs, &on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data_chunk_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_stream_close);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cbs, &on_invalid_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, &on_frame_send);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, &on_frame_not_send);
  // No on_invalid_header callback, on purpose: without one, nghttp2 treats a field it would
  // otherwise skip (a name that is not a token, a value with CR, LF, NUL or surrounding
  // whitespace) as malformed, a stream error PROTOCOL_ERROR, as §8.2.1 requires.
}

// CONTINUATION floods (CVE-2024-27316 and its kin): a header block may be sent in as many
// CONTINUATION frames as a client likes (§6.10), each costing a frame header to parse and the
// block to hold. The count restarts at each HEADERS frame; nghttp2 calls this for the
// CONTINUATIONs of blocks it decodes, after their frame header is whole.
//
// §5.1.1: a new stream's identifier must be above every stream the client opened; one below
// is a connection error PROTOCOL_ERROR. nghttp2 ignores a HEADERS frame on a stream it no
// longer knows (it cannot remember every stream), so the check is here: a stream it knows
// (open, or closed recently) is left to it (trailers; STREAM_CLOSED after a reset, §5.1).
int session::callbacks::on_begin_frame(nghttp2_session* ng, const nghttp2_frame_hd* hd,
                                       void* user) noexcept {
  session& self = self_of(user);
  if (hd->type == NGHTTP2_HEADERS) {
    self.continuations_ = 0;
    if (hd->stream_id > 0 && hd->stream_id < self.last_request_ &&
        nghttp2_session_find_stream(ng, hd->stream_id) == nullptr) {
      self.end_connection(error_code::protocol_error, self.counters_.stream_id_regressions);
    }
  } else if (hd->type == NGHTTP2_CONTINUATION &&
             ++self.continuations_ > self.config_.protections.max_continuations) {
    self.end_connection(error_code::enhance_your_calm, self.counters_.continuation_flood_goaways);
  }
  return 0;
}

int session::callbacks::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame,
                                         void* user) noexcept {
  session& self = self_of(user);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  const stream_id id = frame->hd.stream_id;
  if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    self.last_request_ = std::max(self.last_request_, id);
    self.streams_[id] = std::make_unique<stream>(self.config_.limits);
  } else if (stream* s = self.find(id)) {
    s->trailers.emplace(self.config_.limits);  // a second HEADERS on a request: trailers
  }
  return 0;
}

// HPACK bombs: the list is sized as it is decoded, before anything is kept, so a block that
// decodes to far more than it weighs is cut off at the cap, its stream reset.
int session::callbacks::on_header(nghttp2_session* ng, const nghttp2_frame* frame,
                                  const std::uint8_t* name, std::size_t namelen,
                                  const std::uint8_t* value, std::size_t valuelen, std::uint8_t,
                                  void* user) noexcept {
  session& self = self_of(user);
  const stream_id id = frame->hd.stream_id;
  stream* s = frame->hd.type == NGHTTP2_HEADERS ? self.find(id) : nullptr;
  if (!s) return 0;
  header_block& block = s->trailers ? *s->trailers : s->head;
  if (block.add(text(name, namelen), text(value, valuelen))) return 0;
  ++self.counters_.header_lists_over_cap;
  // Queued first, this RST_STREAM is the one sent: nghttp2 drops its own (INTERNAL_ERROR, for
  // the return below) for a stream already closing. nghttp2 still decodes the rest of the
  // block, which HPACK's shared table needs, without calling back.
  nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id,
                            static_cast<std::uint32_t>(error_code::enhance_your_calm));
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

void session::callbacks::on_request_head(session& self, const nghttp2_frame& frame) {
  const stream_id id = frame.hd.stream_id;
  stream* s = self.find(id);
  if (!s) return;
  if (!s->head.rejection() && s->head.is_malformed()) {
    // §8.1.1: a malformed request is a stream error PROTOCOL_ERROR; nobody answers it.
    ++self.counters_.malformed_requests;
    nghttp2_submit_rst_stream(self.ng_, NGHTTP2_FLAG_NONE, id, NGHTTP2_PROTOCOL_ERROR);
    return;
  }
  self.announce(id, *s, (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0);
}

// nghttp2 has checked that trailers end the stream and carry no pseudo-header (§8.1).
void session::callbacks::on_request_trailers(session& self, std::int32_t id) {
  stream* s = self.find(id);
  if (!s || !s->trailers) return;
  if (s->trailers->rejection()) {
    // Past the head's limits: too late for a 431, which may already be on its way.
    nghttp2_submit_rst_stream(self.ng_, NGHTTP2_FLAG_NONE, id,
                              static_cast<std::uint32_t>(error_code::enhance_your_calm));
    return;
  }
  if (!s->announced || s->rejected) return;
  self.events_->on_trailers(id, s->trailers->fields());
  self.events_->on_end_stream(id);
}

// Rapid reset (CVE-2023-44487): a client that opens streams and resets them before they are
// answered makes the server start work it throws away, at no cost to itself and without ever
// passing SETTINGS_MAX_CONCURRENT_STREAMS. Resets of answered streams (a video seek, a page
// left) cost little and are not counted.
void session::callbacks::on_reset(session& self, std::int32_t id, std::uint32_t code) {
  ++self.counters_.client_resets;
  stream* s = self.find(id);
  if (!s) return;
  if (s->announced) self.events_->on_stream_reset(id, static_cast<error_code>(code));
  if (s->answered) return;
  ++self.counters_.unanswered_resets;
  if (self.resets_.record(self.config_.clock())) {
    self.end_connection(error_code::enhance_your_calm, self.counters_.rapid_reset_goaways);
  }
}

// PING and SETTINGS floods: each such frame makes the server queue an ACK (§6.5.3, §6.7).
// nghttp2 bounds the ACKs left unread (max_outbound_ack) and the entries per SETTINGS frame,
// but not the pace of a client that reads its ACKs, which is bounded here.
void session::callbacks::on_control_frame(session& self, std::uint64_t& counter) {
  ++counter;
  if (self.control_frames_.record(self.config_.clock())) {
    self.end_connection(error_code::enhance_your_calm, self.counters_.control_flood_goaways);
  }
}

int session::callbacks::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame,
                                      void* user) noexcept {
  session& self = self_of(user);
  const stream_id id = frame->hd.stream_id;
  const bool ack = (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0;
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
        on_request_head(self, *frame);
      } else if (frame->headers.cat == NGHTTP2_HCAT_HEADERS) {
        on_request_trailers(self, id);
      }
      break;
    case NGHTTP2_DATA:
      if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
        const stream* s = self.find(id);
        if (s && s->announced && !s->rejected) self.events_->on_end_stream(id);
      }
      break;
    case NGHTTP2_RST_STREAM:
      on_reset(self, id, frame->rst_stream.error_code);
      break;
    case NGHTTP2_PING:
      if (!ack) on_control_frame(self, self.counters_.pings);
      break;
    case NGHTTP2_SETTINGS:
      if (!ack) on_control_frame(self, self.counters_.settings);
      break;
    default:
      break;
  }
  return 0;
}

int session::callbacks::on_data_chunk_recv(nghttp2_session* ng, std::uint8_t, std::int32_t id,
                                           const std::uint8_t* data, std::size_t len,
                                           void* user) noexcept {
  session& self = self_of(user);
  stream* s = self.find(id);
  if (!s || !s->announced || s->rejected) {
    // Nobody will read it: its window reopens at once.
    nghttp2_session_consume(ng, id, len);
    return 0;
  }
  s->unconsumed += len;
  self.events_->on_data(id, text(data, len));
  return 0;
}

int session::callbacks::on_stream_close(nghttp2_session* ng, std::int32_t id, std::uint32_t code,
                                        void* user) noexcept {
  session& self = self_of(user);
  stream* s = self.find(id);
  if (!s) return 0;
  if (s->unconsumed > 0) nghttp2_session_consume_connection(ng, s->unconsumed);
  s->unconsumed = 0;
  if (s->announced) self.events_->on_stream_closed(id, static_cast<error_code>(code));
  self.streams_.erase(id);
  return 0;
}

// nghttp2 calls this for the errors it finds in a frame, with its reason, before it resets the
// stream or ends the connection.
int session::callbacks::on_invalid_frame_recv(nghttp2_session*, const nghttp2_frame*, int lib_error,
                                              void* user) noexcept {
  session& self = self_of(user);
  if (lib_error == NGHTTP2_ERR_HTTP_HEADER || lib_error == NGHTTP2_ERR_HTTP_MESSAGING) {
    ++self.counters_.malformed_requests;
  } else if (lib_error == NGHTTP2_ERR_REFUSED_STREAM) {
    ++self.counters_.refused_streams;
  }
  return 0;
}

int session::callbacks::on_frame_send(nghttp2_session* ng, const nghttp2_frame* frame,
                                      void* user) noexcept {
  session& self = self_of(user);
  const stream_id id = frame->hd.stream_id;
  switch (frame->hd.type) {
    case NGHTTP2_GOAWAY:
      if (frame->goaway.error_code != NGHTTP2_NO_ERROR && !self.connection_error_) {
        self.connection_error_ = static_cast<error_code>(frame->goaway.error_code);
      }
      break;
    case NGHTTP2_DATA:
    case NGHTTP2_HEADERS:
      // §8.1: once its response is complete, a server may ask the client to stop sending a
      // request's content with RST_STREAM NO_ERROR; nothing would read it any more, and the
      // stream stops counting against SETTINGS_MAX_CONCURRENT_STREAMS.
      if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 &&
          nghttp2_session_get_stream_remote_close(ng, id) == 0) {
        nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR);
      }
      break;
    default:
      break;
  }
  return 0;
}

int session::callbacks::on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int,
                                          void* user) noexcept {
  session& self = self_of(user);
  if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR &&
      !self.connection_error_) {
    self.connection_error_ = static_cast<error_code>(frame->goaway.error_code);
  }
  return 0;
}

ssize_t session::callbacks::read_body(nghttp2_session* ng, std::int32_t id, std::uint8_t* buf,
                                      std::size_t length, std::uint32_t* flags,
                                      nghttp2_data_source*, void* user) noexcept {
  session& self = self_of(user);
  stream* s = self.find(id);
  if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  if (self.draining_) {
    self.held_by_feed_.push_back(id);
    return NGHTTP2_ERR_DEFERRED;
  }
  std::size_t n = 0;
  bool ended = true;
  if (const auto* bytes = std::get_if<std::string>(&s->body)) {
    n = std::min(length, bytes->size() - s->body_sent);
    std::memcpy(buf, bytes->data() + s->body_sent, n);
    s->body_sent += n;
    ended = s->body_sent == bytes->size();
  } else if (auto* source = std::get_if<pull_source>(&s->body)) {
    const pull_result r = (*source)(std::span<char>(reinterpret_cast<char*>(buf), length));
    n = std::min(r.length, length);
    ended = r.state == pull_state::ended;
    if (n == 0 && !ended) return NGHTTP2_ERR_DEFERRED;  // until resume()
  }
  if (ended) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    s->body_ended = true;
    if (s->trailers_out) {
      // §8.1: the trailers' HEADERS frame carries END_STREAM, not the last DATA frame.
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      const std::span<const nghttp2_nv> nv = s->trailers_out->list();
      if (nghttp2_submit_trailer(ng, id, nv.data(), nv.size()) != 0) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
      }
    }
  }
  return static_cast<ssize_t>(n);
}

}  // namespace teapot::h2
