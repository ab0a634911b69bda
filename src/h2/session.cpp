// The session's calls: construction, the byte pumps, and what the owner submits. The nghttp2
// callbacks, which turn frames into events, are in session_callbacks.cpp.
#include "h2/session.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include <nghttp2/nghttp2.h>

#include "h2/response_fields.h"
#include "h2/session_callbacks.h"
#include "h2/session_stream.h"
#include "h2/upgrade_settings.h"

namespace teapot::h2 {

namespace {

// nghttp2's own CONTINUATION cap (a backport in Debian's 1.52) counts a CONTINUATION once per
// call that delivers part of its 9-octet frame header, so a header split across reads counts
// up to 9 times. Set that far above the session's cap, it only bounds the header blocks the
// session does not see (those of streams already reset), and the session's cap, which ends
// the connection with a GOAWAY, trips first.
constexpr std::size_t frame_header_octets = 9;

nghttp2_option* make_options(const session_protections& p) {
  nghttp2_option* opt = nullptr;
  if (nghttp2_option_new(&opt) != 0) return nullptr;
  // The owner consumes request content as its handler takes it (§6.9: flow control is the
  // receiver's to decide), so that a slow handler holds its client back.
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_max_outbound_ack(opt, p.max_unsent_acks);
  nghttp2_option_set_max_settings(opt, p.max_settings_entries);
#ifdef TEAPOT_NGHTTP2_HAS_MAX_CONTINUATIONS
  nghttp2_option_set_max_continuations(opt, (p.max_continuations + 1) * frame_header_octets);
#endif
  return opt;
}

}  // namespace

std::string_view check_config(const session_config& c) noexcept {
  constexpr std::uint32_t max_window = 0x7fffffff;  // §6.9.1: 2^31-1
  const session_settings& s = c.settings;
  if (s.initial_window_size > max_window) return "initial window over 2^31-1 (RFC 9113 §6.5.2)";
  if (s.connection_window_size < 65'535 || s.connection_window_size > max_window) {
    return "connection window outside 65535..2^31-1 (RFC 9113 §6.9.2)";
  }
  if (s.max_frame_size < 16'384 || s.max_frame_size > 16'777'215) {
    return "max frame size outside 16384..16777215 (RFC 9113 §6.5.2)";
  }
  if (c.limits.header_list_cap < c.limits.header_list) {
    return "header list cap below the header list limit";
  }
  if (c.limits.header_list > max_window) return "header list limit over 2^31-1";
  if (!c.clock) return "no clock";
  return {};
}

session::session(session_events& events, session_config config)
    : events_(&events),
      config_(std::move(config)),
      scratch_(std::make_unique<response_fields>()),
      resets_(config_.protections.unanswered_resets, config_.protections.reset_window),
      control_frames_(config_.protections.control_frames, config_.protections.control_window) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_option* opt = make_options(config_.protections);
  // A configuration check_config() refuses, or no memory: a session that takes nothing, and
  // whose first feed() reports INTERNAL_ERROR.
  if (!check_config(config_).empty() || !opt || nghttp2_session_callbacks_new(&cbs) != 0) {
    nghttp2_option_del(opt);
    break_on(NGHTTP2_ERR_NOMEM);
    return;
  }
  callbacks::install(cbs);
  const int rv = nghttp2_session_server_new2(&ng_, cbs, this, opt);
  nghttp2_session_callbacks_del(cbs);
  nghttp2_option_del(opt);
  if (rv != 0) {
    ng_ = nullptr;
    break_on(rv);
    return;
  }
  // The server's connection preface is its SETTINGS frame (§3.4). SETTINGS_NO_RFC7540_PRIORITIES
  // is not sent: the priority tree of RFC 7540 is deprecated (§5.3.2), but with it nghttp2
  // keeps the state of recently closed streams, and so can answer a frame on one of them with
  // the STREAM_CLOSED error §5.1 requires, and a PRIORITY frame on stream 0 or on itself with
  // PROTOCOL_ERROR (§6.3, §5.3.1), instead of ignoring them.
  const session_settings& s = config_.settings;
  const std::array<nghttp2_settings_entry, 6> entries{{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, s.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, s.initial_window_size},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, s.max_frame_size},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, s.header_table_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<std::uint32_t>(config_.limits.header_list)},
      {NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1},
  }};
  // RFC 8441 §3: the setting is only ever sent with 1; left out, it is 0.
  const std::size_t count = s.enable_connect_protocol ? entries.size() : entries.size() - 1;
  if (nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, entries.data(), count) != 0 ||
      nghttp2_session_set_local_window_size(
          ng_, NGHTTP2_FLAG_NONE, 0, static_cast<std::int32_t>(s.connection_window_size)) != 0) {
    break_on(NGHTTP2_ERR_NOMEM);
  }
}

session::~session() {
  nghttp2_session_del(ng_);
}

session::stream* session::find(stream_id id) noexcept {
  const auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void session::break_on(long lib_error) {
  broken_ = true;
  error_code code = error_code::internal_error;
  if (lib_error == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
    code = error_code::protocol_error;  // §3.4: an invalid preface; the GOAWAY MAY be omitted
  } else if (lib_error == NGHTTP2_ERR_FLOODED) {
    // The client leaves our ACKs unread: nothing more can be written to it.
    counters_.unread_ack_floods = 1;
    code = error_code::enhance_your_calm;
#ifdef TEAPOT_NGHTTP2_HAS_MAX_CONTINUATIONS
  } else if (lib_error == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
    counters_.continuation_flood_goaways = 1;
    code = error_code::enhance_your_calm;
#endif
  }
  if (!connection_error_) connection_error_ = code;
}

void session::end_connection(error_code code, std::uint64_t& counter) {
  if (ending_ || connection_error_) return;  // the first reason is the one sent and counted
  ending_ = true;
  counter = 1;
  nghttp2_session_terminate_session(ng_, static_cast<std::uint32_t>(code));
}

// nghttp2 ends a connection by queueing a GOAWAY, which feed() cannot see until it is
// serialized: so feed() serializes what is queued into pending_, and the GOAWAY's code is
// known when feed() returns. Response content stays where it is (the data callbacks defer
// while draining_ and are resumed here), to be pulled by take_output() under its max.
void session::drain_all_but_content() {
  draining_ = true;
  serialize_into(pending_, std::numeric_limits<std::size_t>::max());
  draining_ = false;
  for (stream_id id : held_by_feed_)
    nghttp2_session_resume_data(ng_, id);
  held_by_feed_.clear();
}

feed_result session::feed(std::string_view bytes) {
  if (broken_ || connection_error_) return {connection_error_};
  const auto n = nghttp2_session_mem_recv(ng_, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                          bytes.size());
  if (n < 0) {
    break_on(n);
    return {connection_error_};
  }
  drain_all_but_content();
  return {connection_error_};
}

void session::take_output(std::string& out, std::size_t max) {
  const std::size_t start = out.size();
  out.append(pending_);
  pending_.clear();
  const std::size_t taken = out.size() - start;
  if (taken < max) serialize_into(out, max - taken);
}

// Appends what nghttp2 has to send, up to about max bytes (a frame is never cut).
void session::serialize_into(std::string& out, std::size_t max) {
  const std::size_t start = out.size();
  while (!broken_ && out.size() - start < max) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(ng_, &data);
    if (n < 0) {
      break_on(n);
      break;
    }
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

bool session::wants_write() const noexcept {
  return !pending_.empty() || (!broken_ && nghttp2_session_want_write(ng_) != 0);
}

bool session::wants_read() const noexcept {
  return !broken_ && nghttp2_session_want_read(ng_) != 0;
}

bool session::submit_response(stream_id id, http::status status,
                              std::span<const header_field> fields, response_body body) {
  stream* s = find(id);
  if (broken_ || !s || s->answered || http::is_informational(status)) return false;
  const bool with_body = !std::holds_alternative<no_body>(body);
  nghttp2_data_provider provider{};
  provider.read_callback = &callbacks::read_body;
  const std::span<const nghttp2_nv> nv = scratch_->head(status, fields);
  if (nghttp2_submit_response(ng_, id, nv.data(), nv.size(), with_body ? &provider : nullptr) !=
      0) {
    return false;
  }
  s->body = std::move(body);
  s->answered = true;
  s->body_ended = !with_body;
  return true;
}

bool session::submit_interim(stream_id id, http::status status,
                             std::span<const header_field> fields) {
  stream* s = find(id);
  if (broken_ || !s || s->answered || !http::is_informational(status) ||
      status == http::status::switching_protocols) {
    return false;
  }
  const std::span<const nghttp2_nv> nv = scratch_->head(status, fields);
  return nghttp2_submit_headers(ng_, NGHTTP2_FLAG_NONE, id, nullptr, nv.data(), nv.size(),
                                nullptr) >= 0;
}

bool session::submit_trailers(stream_id id, std::span<const header_field> fields) {
  stream* s = find(id);
  if (broken_ || !s || !s->answered || s->body_ended || s->trailers_out) return false;
  s->trailers_out = std::make_unique<response_fields>();
  s->trailers_out->trailers(fields);
  return true;
}

bool session::reset_stream(stream_id id, error_code code) {
  if (broken_ || !find(id)) return false;
  return nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, id, static_cast<std::uint32_t>(code)) ==
         0;
}

bool session::held_by_window(stream_id id) const noexcept {
  const auto it = streams_.find(id);
  if (broken_ || it == streams_.end() || !it->second->answered || it->second->body_ended)
    return false;
  return nghttp2_session_get_stream_remote_window_size(ng_, id) <= 0 ||
         nghttp2_session_get_remote_window_size(ng_) <= 0;
}

bool session::cut_stalled(stream_id id) {
  if (!reset_stream(id, error_code::cancel)) return false;
  ++counters_.stalled_streams;
  return true;
}

void session::consume(stream_id id, std::size_t n) {
  stream* s = find(id);
  if (broken_ || !s) return;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, s->unconsumed));
  s->unconsumed -= n;
  nghttp2_session_consume(ng_, id, n);
}

bool session::resume(stream_id id) {
  return !broken_ && find(id) && nghttp2_session_resume_data(ng_, id) == 0;
}

void session::announce(stream_id id, stream& s, bool ends_stream) {
  s.announced = true;
  const request_head head = s.head.head(ends_stream);
  if (const auto why = s.head.rejection()) {
    s.rejected = true;
    ++counters_.rejected_requests;
    events_->on_request_rejected(id, *why, head);
    return;
  }
  ++counters_.requests;
  events_->on_request(id, head);
}

bool session::upgrade_from_h1(std::string_view settings_base64url, const request_head& head) {
  if (broken_ || !streams_.empty()) return false;
  const auto payload = decode_base64url(settings_base64url);
  if (!payload) return false;
  auto s = std::make_unique<stream>(config_.limits);
  bool fits = s->head.add(":method", head.method) && s->head.add(":scheme", head.scheme) &&
              s->head.add(":authority", head.authority) && s->head.add(":path", head.path);
  for (const header_field& f : head.fields)
    fits = fits && s->head.add(f.name, f.value);
  if (!fits) return false;
  // nghttp2 opens stream 1 half-closed (remote) and applies the client's settings (§3.2.1);
  // it refuses a payload that is not a whole number of settings, or a session past its start.
  if (nghttp2_session_upgrade2(ng_, reinterpret_cast<const std::uint8_t*>(payload->data()),
                               payload->size(), head.method == "HEAD" ? 1 : 0, nullptr) != 0) {
    return false;
  }
  stream& st = *streams_.emplace(1, std::move(s)).first->second;
  announce(1, st, true);
  return true;
}

void session::shutdown_notice() {
  if (!broken_) nghttp2_submit_shutdown_notice(ng_);
}

void session::go_away(error_code code) {
  if (broken_) return;
  if (code == error_code::no_error) {
    nghttp2_submit_goaway(ng_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(ng_),
                          NGHTTP2_NO_ERROR, nullptr, 0);
    return;
  }
  nghttp2_session_terminate_session(ng_, static_cast<std::uint32_t>(code));
}

}  // namespace teapot::h2
