// What a session has seen and refused, for metrics: every protection counts what trips it.
// Plain counters, read by the thread that owns the session.
#pragma once

#include <cstdint>

namespace teapot::h2 {

struct session_counters {
  std::uint64_t requests = 0;           // heads given to the owner (on_request)
  std::uint64_t rejected_requests = 0;  // heads over a limit (on_request_rejected: 414, 431)
  // Stream errors PROTOCOL_ERROR for a malformed request (RFC 9113 §8.1.1): nghttp2's checks
  // and the session's own.
  std::uint64_t malformed_requests = 0;
  // REFUSED_STREAM for a stream over SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2).
  std::uint64_t refused_streams = 0;
  // Decoded header lists past head_limits::header_list_cap: stream reset (HPACK bomb).
  std::uint64_t header_lists_over_cap = 0;
  std::uint64_t client_resets = 0;      // RST_STREAM frames from the client
  std::uint64_t unanswered_resets = 0;  // ... on streams not answered yet (rapid reset)
  std::uint64_t pings = 0;              // PING frames from the client (not ACKs)
  std::uint64_t settings = 0;           // SETTINGS frames from the client (not ACKs)
  // The session ended the connection (GOAWAY ENHANCE_YOUR_CALM) for: (each 0 or 1)
  std::uint64_t rapid_reset_goaways = 0;
  std::uint64_t control_flood_goaways = 0;       // PING and SETTINGS over their budget
  std::uint64_t continuation_flood_goaways = 0;  // CONTINUATIONs over max_continuations
  std::uint64_t unread_ack_floods = 0;           // ACKs the client left unread (nghttp2)
  // GOAWAY PROTOCOL_ERROR for a HEADERS frame on a stream below the client's last (§5.1.1).
  std::uint64_t stream_id_regressions = 0;
  // Responses reset CANCEL because the client's window held them back too long (cut_stalled).
  std::uint64_t stalled_streams = 0;
};

// to += from, field by field (the server adds the sessions of its connections up).
inline void add(session_counters& to, const session_counters& from) noexcept {
  to.requests += from.requests;
  to.rejected_requests += from.rejected_requests;
  to.malformed_requests += from.malformed_requests;
  to.refused_streams += from.refused_streams;
  to.header_lists_over_cap += from.header_lists_over_cap;
  to.client_resets += from.client_resets;
  to.unanswered_resets += from.unanswered_resets;
  to.pings += from.pings;
  to.settings += from.settings;
  to.rapid_reset_goaways += from.rapid_reset_goaways;
  to.control_flood_goaways += from.control_flood_goaways;
  to.continuation_flood_goaways += from.continuation_flood_goaways;
  to.unread_ack_floods += from.unread_ack_floods;
  to.stream_id_regressions += from.stream_id_regressions;
  to.stalled_streams += from.stalled_streams;
}

}  // namespace teapot::h2
